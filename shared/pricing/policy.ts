import type { SurgeSettings } from "./market";
import { type CellInput, type CellUpdate, updateCell } from "./surge";

/**
 * The pricing seam: what turns one cell's balance into its next multiplier. A zone's state asks
 * its policy once per cell per tick; the default is the surge curve (`surge.ts`). Forecasts and
 * experiments plug in here — as inputs a policy reads, or as a policy that wraps another —
 * never by editing the zone object.
 *
 * Whatever a policy does, the caps hold: a policy's settings may lower the market's cap, never
 * raise it, and the emergency cap is applied by the curve after every adjustment.
 */

/** What a policy may know beyond the cell's balance. Each field is optional; absent means "not used". */
export interface PricingInputs {
  /** Settings that replace the market's for this cell (an experiment's variant). Its cap cannot exceed the market's. */
  settings?: Partial<SurgeSettings>;
  /** Expected demand over a horizon, from a forecast model. */
  forecast?: { demand: number; horizonMinutes: number; modelId: string };
}

export interface PolicyInput extends CellInput {
  cell: string;
  now: number;
  inputs: PricingInputs;
}

export interface PricingPolicy {
  readonly name: string;
  update(input: PolicyInput): CellUpdate;
}

/**
 * Settings with a variant's overrides applied, the cap never above the market's.
 * @example withOverrides({ ...market, cap: 3 }, { cap: 5, sensitivity: 1 }) // cap 3, sensitivity 1
 */
export function withOverrides(settings: SurgeSettings, overrides: Partial<SurgeSettings> | undefined): SurgeSettings {
  if (!overrides) return settings;
  return { ...settings, ...overrides, cap: Math.min(settings.cap, overrides.cap ?? settings.cap) };
}

/** Today's pricing: the surge curve with the market's settings (or a variant's, within the market's cap). */
export const surgeCurve: PricingPolicy = {
  name: "surge-curve",
  update: (input) => updateCell({ ...input, settings: withOverrides(input.settings, input.inputs.settings) }),
};
