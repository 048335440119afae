import type { SurgeSettings } from "./market";
import type { ExperimentStory } from "./policy";

/**
 * The surge curve: how a cell's balance of supply and demand becomes the multiplier a rider
 * is shown and charged. One curve, configured per market, with no clock and no I/O.
 *
 * The path of one update, in order:
 *   1. pool     – the cell's supply and demand plus its H3 neighbours', ring d weighing w^d
 *   2. ratio    – (demand + prior) / (supply × targetRatio + prior); thin data leans to 1
 *   3. curve    – 1 + sensitivity × max(0, ratio − 1 − deadband)^exponent, then the cap
 *   4. smooth   – move from the previous value toward the target by `smoothing`, at most
 *                 `maxStepUp` / `maxStepDown` per update, then the cap again
 *   5. display  – round to 0.1 with a little hysteresis, never above the cap; the shown
 *                 value (in tenths) is what a quote charges
 */

/**
 * Per-market surge settings (validated by `SurgeSettingsSchema` in `shared/market.ts`):
 * - `enabled`: false prices every cell at 1.0 (static pricing), e.g. to compare with and without surge;
 * - `cap`: the highest multiplier the market ever shows or charges;
 * - `targetRatio`: demand per available driver that counts as balanced;
 * - `priorWeight`: pseudo-observations of a balanced market added to both sides (thin data leans to 1.0);
 * - `minDemand`: below this pooled demand the multiplier is 1.0 (too little data to trust);
 * - `sensitivity`, `exponent`, `deadband` (excess ratio ignored before the curve rises): the curve;
 * - `searchWeight`: demand weight of a search (a ride request weighs 1); `demandHalfLifeSeconds`;
 * - `supplyWindowSeconds`: a driver counts as supply for this long after their last "available";
 * - `smoothing` (share of the gap closed per update), `maxStepUp`, `maxStepDown`;
 * - `displayHysteresis`: how far past a rounding boundary before the shown value moves;
 * - `neighbourRings` (0 = the cell alone) and `neighbourWeight` (ring d weighs it^d);
 * - `updateIntervalMs`: the zone's tick;
 * - `predictive`: a forecast's part (`policy.ts`): off, shadow or on, its horizon and its weight.
 */
export type { SurgeSettings } from "./market";

export interface Balance {
  supply: number;
  demand: number;
}

/** What made a multiplier: returned with every surge reading and quote. */
export interface SurgeExplanation {
  supply: number;
  demand: number;
  pooled: Balance & { cells: number };
  ratio: number;
  /** The curve's value before any cap. */
  curve: number;
  cap: number;
  /** Which cap bound the result, if any. */
  capApplied: "market" | "emergency" | null;
  target: number;
  previous: number;
  smoothed: number;
  stepLimited: boolean;
  thinData: boolean;
  shown: number;
  /** The experiment arm that priced (or watched) the cell, when it is in one. */
  experiment?: ExperimentStory;
  /** The forecast's part, when predictive surge is on or in shadow and the cell has a forecast (see `policy.ts`). */
  forecast?: ForecastExplanation;
}

/** What a forecast did to a multiplier (`on`), or would have done (`shadow`). */
export interface ForecastExplanation {
  mode: "shadow" | "on";
  modelId: string;
  horizonMinutes: number;
  /** Demand the forecast expects in the cell over the horizon (a request 1, a search its weight). */
  expected: number;
  /** That rate as the decaying demand a zone counts (expected per minute × the half-life's mean age). */
  expectedLevel: number;
  weight: number;
  /** The cell's demand as priced: live demand raised by `weight` of the gap to `expectedLevel`. */
  demandUsed: number;
  /** The target live demand alone gave, and the target with the forecast. */
  reactiveTarget: number;
  predictiveTarget: number;
  /** The multiplier shown with the forecast (in shadow: what it would have been). */
  predictiveShown: number;
  /** Its smoothed value (unrounded): where the next step with the forecast starts. */
  predictiveSmoothed: number;
  /** The multiplier live demand alone would show, stepping from the same previous value. */
  reactiveShown: number;
}

export interface CellUpdate {
  smoothed: number;
  shownTenths: number;
  explanation: SurgeExplanation;
}

/** The least a multiplier moves toward its target per update, so a steady market settles exactly. */
const SETTLE = 0.005;

/**
 * Pools a cell's balance with its neighbours', ring by ring.
 * @example pool([[{supply: 2, demand: 4}], [{supply: 1, demand: 0}]], 0.5) // {supply: 2.5, demand: 4, cells: 2}
 */
export function pool(rings: ReadonlyArray<ReadonlyArray<Balance>>, neighbourWeight: number): Balance & { cells: number } {
  let supply = 0;
  let demand = 0;
  let cells = 0;
  let weight = 1;
  for (const ring of rings) {
    for (const b of ring) {
      supply += weight * b.supply;
      demand += weight * b.demand;
      cells += 1;
    }
    weight *= neighbourWeight;
  }
  return { supply, demand, cells };
}

/**
 * Demand per unit of supply relative to balance: 1 means balanced.
 * @example balanceRatio({supply: 10, demand: 20}, {targetRatio: 1, priorWeight: 0}) // 2
 */
export function balanceRatio(b: Balance, s: Pick<SurgeSettings, "targetRatio" | "priorWeight">): number {
  const denominator = b.supply * s.targetRatio + s.priorWeight;
  const numerator = b.demand + s.priorWeight;
  if (denominator <= 0) return numerator > 0 ? Number.POSITIVE_INFINITY : 1;
  return numerator / denominator;
}

/**
 * The uncapped curve for a ratio: 1.0 up to 1 + deadband, then rising.
 * @example curve(2, {sensitivity: 0.5, exponent: 1, deadband: 0}) // 1.5
 */
export function curve(ratio: number, s: Pick<SurgeSettings, "sensitivity" | "exponent" | "deadband">): number {
  const excess = ratio - 1 - s.deadband;
  if (!(excess > 0)) return 1;
  return 1 + s.sensitivity * excess ** s.exponent;
}

/** The effective cap: the market's, lowered by an operator's emergency cap when one is set. */
export function effectiveCap(s: Pick<SurgeSettings, "cap">, emergencyCap?: number): number {
  return emergencyCap === undefined ? s.cap : Math.max(1, Math.min(s.cap, emergencyCap));
}

/**
 * Moves `previous` toward `target` by the smoothing share, bounded per update, within [1, cap].
 *
 * `share` is how much of an update interval this step covers (0, 1]: a zone that publishes a
 * change at once, between two regular ticks, takes a partial step, so the market moves at the
 * same pace however often it is recomputed. A whole interval (the default) is one full step.
 * @example step(1, 2, 3, { smoothing: 0.5, maxStepUp: 0.3, maxStepDown: 0.1 }) // {value: 1.3, limited: true}
 */
export function step(
  previous: number,
  target: number,
  cap: number,
  s: Pick<SurgeSettings, "smoothing" | "maxStepUp" | "maxStepDown">,
  share = 1,
): { value: number; limited: boolean } {
  const part = Math.min(1, Math.max(0, share));
  const gap = target - previous;
  const smoothing = part === 1 ? s.smoothing : 1 - (1 - s.smoothing) ** part;
  // At least SETTLE per update (or the whole gap, when smaller), so a steady market lands
  // exactly on its target; applied before the bound, so the bound always holds.
  const wanted = Math.sign(gap) * Math.max(smoothing * Math.abs(gap), Math.min(Math.abs(gap), SETTLE * part));
  const bounded = Math.max(-s.maxStepDown * part, Math.min(s.maxStepUp * part, wanted));
  return { value: Math.max(1, Math.min(cap, previous + bounded)), limited: bounded !== wanted };
}

/**
 * The multiplier shown (and charged), in integer tenths: the smoothed value rounded to 0.1,
 * held at the previous shown value while within half a step plus the hysteresis, never
 * above the cap rounded down to a tenth, never below 1.0.
 * @example shownTenths(1.34, undefined, 3, 0.02) // 13
 */
export function shownTenths(smoothed: number, previousTenths: number | undefined, cap: number, hysteresis: number): number {
  const capTenths = Math.max(10, capInTenths(cap));
  let tenths = Math.round(smoothed * 10);
  if (previousTenths !== undefined && Math.abs(smoothed * 10 - previousTenths) < 0.5 + hysteresis * 10) {
    tenths = previousTenths;
  }
  return Math.max(10, Math.min(capTenths, tenths));
}

/**
 * A shown multiplier (in tenths) under a cap that binds now — an operator's emergency cap that
 * arrived between two ticks — never above it rounded down, never below 1.0.
 * @example underCap(24, 1.5) // 15
 */
export function underCap(tenths: number, cap: number): number {
  return Math.max(10, Math.min(tenths, capInTenths(cap)));
}

/** The largest whole number of tenths not above the cap (2.45 → 24, 3 → 30, 2.9999999 → 29). */
function capInTenths(cap: number): number {
  let t = Math.floor(cap * 10);
  if ((t + 1) / 10 <= cap) t += 1;
  else if (t / 10 > cap) t -= 1;
  return t;
}

export interface CellInput {
  /** The cell's own balance. */
  own: Balance;
  /** Balances by ring: rings[0] is the cell itself, rings[d] its neighbours at distance d. */
  rings: ReadonlyArray<ReadonlyArray<Balance>>;
  previousSmoothed: number;
  previousShownTenths: number | undefined;
  settings: SurgeSettings;
  emergencyCap?: number;
  /** How much of an update interval this update covers, in (0, 1] (see `step`); 1 when absent. */
  share?: number;
}

/**
 * One update of one cell: pool, ratio, curve, cap, smoothing, cap, display.
 * @example
 * const u = updateCell({own, rings: [[own]], previousSmoothed: 1, previousShownTenths: 10, settings});
 * u.shownTenths // e.g. 12 for ×1.2
 */
export function updateCell(input: CellInput): CellUpdate {
  const s = input.settings;
  const cap = effectiveCap(s, input.emergencyCap);
  const pooled = pool(input.rings.slice(0, s.neighbourRings + 1), s.neighbourWeight);
  const ratio = balanceRatio(pooled, s);
  const thinData = pooled.demand < s.minDemand;
  const raw = !s.enabled || thinData ? 1 : curve(ratio, s);
  const target = Math.min(raw, cap);
  const stepped = step(input.previousSmoothed, target, cap, s, input.share);
  const shown = shownTenths(stepped.value, input.previousShownTenths, cap, s.displayHysteresis);
  const bound =
    raw > cap ||
    input.previousSmoothed > cap ||
    shownTenths(stepped.value, input.previousShownTenths, Infinity, s.displayHysteresis) > shown;
  const capApplied = bound ? (cap < s.cap ? "emergency" : "market") : null;
  return {
    smoothed: stepped.value,
    shownTenths: shown,
    explanation: {
      supply: input.own.supply,
      demand: round3(input.own.demand),
      pooled: { supply: round3(pooled.supply), demand: round3(pooled.demand), cells: pooled.cells },
      ratio: Number.isFinite(ratio) ? round3(ratio) : ratio,
      curve: Number.isFinite(raw) ? round3(raw) : raw,
      cap,
      capApplied,
      target: round3(target),
      previous: round3(input.previousSmoothed),
      smoothed: round3(stepped.value),
      stepLimited: stepped.limited,
      thinData,
      shown: shown / 10,
    },
  };
}

/**
 * Exponential decay of a demand count from one instant to another. An event stamped a little
 * in the future (clock skew) counts at full weight rather than more.
 * @example decay(8, 0, 180_000, 180) // 4
 */
export function decay(value: number, fromMs: number, toMs: number, halfLifeSeconds: number): number {
  if (toMs <= fromMs) return value;
  return value * 2 ** (-(toMs - fromMs) / (halfLifeSeconds * 1000));
}

/** Demand below this is treated as none: it keeps idle cells from ticking forever. */
export const NEGLIGIBLE_DEMAND = 0.01;

/** How long an event can still matter to live state: after this its decayed weight is < 1/64. */
export function liveHorizonMs(s: Pick<SurgeSettings, "demandHalfLifeSeconds" | "supplyWindowSeconds">): number {
  return Math.max(6 * s.demandHalfLifeSeconds, s.supplyWindowSeconds) * 1000;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
