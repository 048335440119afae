import type { CalendarFeatures } from "./calendar";
import type { Panel, Unit } from "./panel";

/**
 * What every forecasting model is to the backtest and to the forecasts served: fitted on the
 * stretch before `trainEnd`, it replays rolling origins (at each interval, forecasts made with
 * only what was known then) and forecasts the intervals after the data's end. Pure: no clock,
 * no I/O; a model sees the panel, the calendar and nothing else.
 */

export const MODEL_KINDS = ["seasonal-naive-1w", "seasonal-naive-4w", "holt-winters", "regression"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const SEASONAL_NAIVE_KINDS: readonly ModelKind[] = ["seasonal-naive-1w", "seasonal-naive-4w"];

export interface FitContext {
  panel: Panel;
  /** Intervals [0, trainEnd) are the model's to learn from; later ones it only sees as they arrive. */
  trainEnd: number;
  /** Calendar features over the panel's intervals and `ahead` more. */
  calendar: CalendarFeatures;
  /** Intervals past the data's end that `ahead` may be asked for. */
  ahead: number;
  /** Sparse cells pool to their parents below this mean demand per interval. */
  poolBelow: number;
}

/** One prediction: unit, target interval, which horizon (index into the horizons asked), value. */
export type Visit = (unit: number, target: number, horizonIndex: number, value: number) => void;

export interface FittedModel {
  kind: ModelKind;
  params: Record<string, number>;
  units: readonly Unit[];
  /**
   * Forecasts of every target in [from, to) at each horizon h (in intervals), each made at
   * origin target − h with the data up to the origin only.
   */
  replay(from: number, to: number, horizons: readonly number[], visit: Visit): void;
  /** Per unit, the `k` intervals after the data's end, from the last one. */
  ahead(k: number): Float64Array[];
}

export interface ModelSpec {
  kind: ModelKind;
  fit(ctx: FitContext): FittedModel;
}
