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
  /** The experiment arm this cell is in (see `withExperiments`); in live mode `settings` are its variant's. */
  experiment?: ExperimentLabel;
  /** Shadow mode: the variants priced beside the charged multiplier and recorded, never charged. */
  shadow?: ShadowVariant[];
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

// ── Experiments (issue 13): the label every reading and quote records, and shadow pricing ──

/** Which experiment arm prices (live) or watches (shadow) a cell: recorded with its readings and quotes. */
export interface ExperimentLabel {
  id: string;
  mode: "live" | "shadow";
  /** The randomised unit (an H3 cell at the experiment's unit resolution) and its time window's index. */
  unit: string;
  window: number;
  /** The variant drawn for this unit and window (in shadow, the one a live run would have charged). */
  variant: string;
}

/** A variant priced beside the market's in shadow mode: computed and recorded, never charged. */
export interface ShadowVariant {
  id: string;
  settings?: Partial<SurgeSettings>;
}

/** The experiment's part of a reading's story: its label and, in shadow mode, each variant's shown multiplier. */
export interface ExperimentStory extends ExperimentLabel {
  shadow?: Record<string, number>;
}

interface ShadowMemory {
  experiment: string;
  variants: Map<string, { smoothed: number; shownTenths: number }>;
}

/**
 * A policy that tells each reading which experiment arm made it, and in shadow mode prices every
 * variant beside the multiplier charged. A shadow variant is smoothed from its own previous value
 * (kept here per cell, starting from the cell's own), exactly as the curve would have moved it
 * had it been live — and, like every policy, under the market's cap and an operator's.
 * Without experiment inputs it is `inner`, unchanged.
 *
 * @example
 * const state = new ZoneState(cells, settings, undefined, withExperiments(surgeCurve));
 * state.setInputs("experiment:x", { cells: { [cell]: { experiment: label, shadow: [{ id: "b", settings: { sensitivity: 1 } }] } } });
 * state.tick(now); state.reading(cell, now).explanation.experiment // { ...label, shadow: { b: 1.4 } }
 */
export function withExperiments(inner: PricingPolicy): PricingPolicy {
  /** Shadow variants' state per cell: at most the zone's cells × variants, dropped when a cell leaves the experiment. */
  const shadows = new Map<string, ShadowMemory>();
  return {
    name: inner.name,
    update(input) {
      const update = inner.update(input);
      const label = input.inputs.experiment;
      const variants = label ? input.inputs.shadow : undefined;
      if (!variants) shadows.delete(input.cell);
      if (!label) return update;
      const story: ExperimentStory = variants
        ? { ...label, shadow: priceShadows(inner, input, label.id, variants, shadows) }
        : label;
      return { ...update, explanation: { ...update.explanation, experiment: story } };
    },
  };
}

/** Each shadow variant's next shown multiplier for one cell, each from its own previous state. */
function priceShadows(
  inner: PricingPolicy,
  input: PolicyInput,
  experiment: string,
  variants: readonly ShadowVariant[],
  memory: Map<string, ShadowMemory>,
): Record<string, number> {
  let own = memory.get(input.cell);
  if (!own || own.experiment !== experiment) {
    own = { experiment, variants: new Map() };
    memory.set(input.cell, own);
  }
  const shown: Record<string, number> = {};
  for (const variant of variants) {
    const previous = own.variants.get(variant.id) ?? {
      smoothed: input.previousSmoothed,
      shownTenths: input.previousShownTenths ?? 10,
    };
    const update = inner.update({
      ...input,
      inputs: { ...input.inputs, settings: variant.settings, experiment: undefined, shadow: undefined },
      previousSmoothed: previous.smoothed,
      previousShownTenths: previous.shownTenths,
    });
    own.variants.set(variant.id, { smoothed: update.smoothed, shownTenths: update.shownTenths });
    shown[variant.id] = update.shownTenths / 10;
  }
  return shown;
}
