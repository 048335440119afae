import type { SurgeSettings } from "./market";
import { type Balance, type CellInput, type CellUpdate, type ForecastExplanation, updateCell } from "./surge";

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
  /** Expected demand over a horizon, from a forecast model (read by `predictiveUpdate`). */
  forecast?: ForecastInput;
  /** The experiment arm this cell is in (see `withExperiments`); in live mode `settings` are its variant's. */
  experiment?: ExperimentLabel;
  /** Shadow mode: the variants priced beside the charged multiplier and recorded, never charged. */
  shadow?: ShadowVariant[];
}

/** A neighbour's balance as a zone passes it to its policy: with its forecast, when predictive surge is on or in shadow and it has one. */
export interface NeighbourBalance extends Balance {
  forecast?: ForecastInput;
}

export interface PolicyInput extends CellInput {
  /** Balances by ring, as in `CellInput`; each may carry its cell's forecast (read by `predictiveUpdate`). */
  rings: ReadonlyArray<ReadonlyArray<NeighbourBalance>>;
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

// ── Forecasts (issue 12): predictive surge ──

/**
 * A cell's forecast as the training job pushes it to the zone: expected demand over a horizon
 * from when it was made, and per interval (in the zone's demand units: a request 1, a search its
 * weight), so the zone reads the stretch ahead of any `now` without another push.
 */
export interface ForecastInput {
  demand: number;
  horizonMinutes: number;
  modelId: string;
  series?: { from: number; intervalMinutes: number; demand: number[] };
}

/**
 * A model's forecasts as zones take them, by cell: each cell expecting anything gets its demand
 * summed over the next `horizonMinutes` and the whole series (rounded to thousandths), from the
 * forecast's start. The training pushes these to the zones; the simulator sets them on its own.
 */
export function forecastInputs(
  forecast: { from: number; intervalMinutes: number; cells: readonly string[]; demand: readonly ArrayLike<number>[] },
  horizonMinutes: number,
  modelId: string,
): Record<string, { forecast: ForecastInput }> {
  const out: Record<string, { forecast: ForecastInput }> = {};
  const steps = Math.max(1, Math.round(horizonMinutes / forecast.intervalMinutes));
  forecast.cells.forEach((cell, i) => {
    const demand = Array.from(forecast.demand[i] ?? [], (v) => Math.round(v * 1000) / 1000);
    if (!demand.some((v) => v > 0.01)) return;
    out[cell] = {
      forecast: {
        demand: Math.round(demand.slice(0, steps).reduce((a, b) => a + b, 0) * 1000) / 1000,
        horizonMinutes,
        modelId,
        series: { from: forecast.from, intervalMinutes: forecast.intervalMinutes, demand },
      },
    };
  });
  return out;
}

/** Today's pricing: the surge curve with the market's settings (or a variant's, within the market's cap), and a forecast's part. */
export const surgeCurve: PricingPolicy = {
  name: "surge-curve",
  update: (input) => predictiveUpdate({ ...input, settings: withOverrides(input.settings, input.inputs.settings) }),
};

/**
 * Predictive surge (`settings.predictive`): the surge curve, with demand raised early toward what
 * the forecasts expect over the next `horizonMinutes` — in the cell and in each neighbour the
 * curve pools with it that has a forecast of its own (`NeighbourBalance.forecast`).
 *
 *   expectedLevel = expected demand per minute × (half-life / ln 2, in minutes)
 *                   — the decaying demand a zone would count if that rate were arriving now
 *   demandUsed    = live demand + weight × max(0, expectedLevel − live demand)   (per cell)
 *
 * It only ever raises demand (a quiet forecast never lowers a price that live demand justifies),
 * each cell's by at most `weight` (≤ 1) of its own gap, and the curve's caps and steps apply
 * after it, so the cap holds. `off` (the default) or no forecast for the cell: the surge curve
 * alone. `shadow`: the surge curve alone is shown and charged, and the explanation tells what
 * predictive would have shown. The explanation's `demandUsed` is the cell's own; with the
 * neighbours' it makes the pooled demand behind `predictiveTarget` (the reading's `pooled` when on).
 * @example predictiveUpdate({ ...input, settings: { ...s, predictive: { mode: "on", horizonMinutes: 30, weight: 0.5 } } })
 */
export function predictiveUpdate(
  input: Omit<CellInput, "rings"> & { rings: PolicyInput["rings"]; now: number; inputs: PricingInputs },
  /** In shadow, where predictive pricing would be had it been live (default: where the charged price is). */
  shadowPrevious?: { smoothed: number; shownTenths: number },
): CellUpdate {
  const reactive = updateCell(input);
  const p = input.settings.predictive;
  const forecast = input.inputs.forecast;
  if (!p || p.mode === "off" || !forecast || !input.settings.enabled) return reactive;
  const meanAgeMinutes = input.settings.demandHalfLifeSeconds / 60 / Math.LN2;
  const levelOf = (f: ForecastInput) => (expectedDemand(f, input.now, p.horizonMinutes) / p.horizonMinutes) * meanAgeMinutes;
  const raise = (b: NeighbourBalance): Balance =>
    b.forecast ? { supply: b.supply, demand: b.demand + p.weight * Math.max(0, levelOf(b.forecast) - b.demand) } : b;
  const expected = expectedDemand(forecast, input.now, p.horizonMinutes);
  const expectedLevel = levelOf(forecast);
  const own = raise({ ...input.own, forecast });
  const demandUsed = own.demand;
  // The curve prices the cell's neighbourhood (its balance pooled with its rings'), so the
  // forecast raises every cell the curve reads, each by its own forecast: a crowd expected over
  // several cells lifts the price where it will be, instead of one cell's lift diluted by its
  // neighbours' live balances.
  const rings = [[own], ...input.rings.slice(1).map((ring) => ring.map(raise))];
  const from = p.mode === "shadow" && shadowPrevious ? shadowPrevious : undefined;
  const predictive = updateCell({
    ...input,
    own,
    rings,
    ...(from && { previousSmoothed: from.smoothed, previousShownTenths: from.shownTenths }),
  });
  const story: ForecastExplanation = {
    mode: p.mode,
    modelId: forecast.modelId,
    horizonMinutes: p.horizonMinutes,
    expected: round3(expected),
    expectedLevel: round3(expectedLevel),
    weight: p.weight,
    demandUsed: round3(demandUsed),
    reactiveTarget: reactive.explanation.target,
    predictiveTarget: predictive.explanation.target,
    predictiveShown: predictive.shownTenths / 10,
    predictiveSmoothed: predictive.smoothed,
    reactiveShown: reactive.shownTenths / 10,
  };
  const chosen = p.mode === "on" ? predictive : reactive;
  return { ...chosen, explanation: { ...chosen.explanation, forecast: story } };
}

/**
 * The surge curve with predictive surge whose shadow keeps its own state: in `shadow`, what
 * predictive pricing would show is smoothed from its own previous value (per cell, as if it had
 * been live all along), not from the price charged. One per zone (the zone's default policy);
 * the memory holds at most the zone's cells, and a cell leaves it when it has no shadow to keep.
 * Calls for the same cell at the same `now` (an experiment's shadow variants, priced beside the
 * charged one) read the step taken by the first, never take another.
 */
export function predictiveSurge(): PricingPolicy {
  const shadows = new Map<string, { at: number; before: ShadowState; after: ShadowState }>();
  return {
    name: surgeCurve.name,
    update(input) {
      const settings = withOverrides(input.settings, input.inputs.settings);
      if (settings.predictive?.mode !== "shadow" || !input.inputs.forecast) {
        if (input.inputs.experiment === undefined) shadows.delete(input.cell);
        return predictiveUpdate({ ...input, settings });
      }
      const own = shadows.get(input.cell);
      const charged = { smoothed: input.previousSmoothed, shownTenths: input.previousShownTenths ?? 10 };
      const before = own ? (own.at === input.now ? own.before : own.after) : charged;
      const update = predictiveUpdate({ ...input, settings }, before);
      if (own?.at !== input.now) {
        const story = update.explanation.forecast;
        const after = story
          ? { smoothed: story.predictiveSmoothed, shownTenths: Math.round(story.predictiveShown * 10) }
          : before;
        shadows.set(input.cell, { at: input.now, before, after });
      }
      return update;
    },
  };
}

interface ShadowState {
  smoothed: number;
  shownTenths: number;
}

/**
 * Demand a forecast expects over [now, now + minutes): its series read from `now` (partial
 * intervals in proportion; nothing past its end), or its single figure scaled to the horizon.
 * @example expectedDemand({ demand: 0, horizonMinutes: 30, modelId: "m", series: { from: 0, intervalMinutes: 15, demand: [4, 8] } }, 0, 30) // 12
 */
export function expectedDemand(forecast: ForecastInput, now: number, minutes: number): number {
  const s = forecast.series;
  if (!s) return (forecast.demand * minutes) / Math.max(1, forecast.horizonMinutes);
  const interval = s.intervalMinutes * 60_000;
  const end = now + minutes * 60_000;
  let total = 0;
  for (let i = 0; i < s.demand.length; i++) {
    const a = s.from + i * interval;
    const overlap = Math.min(end, a + interval) - Math.max(now, a);
    if (overlap > 0) total += ((s.demand[i] as number) * overlap) / interval;
  }
  return total;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

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
