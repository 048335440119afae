import type { CalendarFeatures } from "./calendar";
import { holtWinters } from "./holt-winters";
import { type FitContext, type FittedModel, type ModelKind, type ModelSpec, SEASONAL_NAIVE_KINDS } from "./model";
import { type Panel, periods } from "./panel";
import { regression } from "./regression";
import { seasonalNaive } from "./seasonal-naive";

/**
 * Training a market: every model fitted on the history before the held-out weeks, then judged
 * in a rolling-origin backtest on those weeks — at every interval of them, forecasts 15, 30 and
 * 60 minutes ahead made with only what was known then — by WAPE per horizon:
 *
 *   WAPE = Σ |y − ŷ| / Σ |y|   over every cell and every target interval held out
 *
 * (MAPE breaks on empty cells; WAPE weighs cells by their demand, as the market feels errors).
 * The gate: a model is promoted only if its WAPE is below seasonal naive's (the better of last
 * week and the mean of the last four weeks) at every horizon; among those, the lowest mean WAPE
 * serves. If none passes, seasonal naive serves. Then the live model forecasts the intervals
 * after the history's end, per cell, with an 80 % band from its own backtest errors.
 */

export const BACKTEST_HORIZONS_MINUTES = [15, 30, 60] as const;
/** Intervals forecast past the history's end: four hours of 15-minute intervals. */
export const AHEAD_INTERVALS = 16;
/** The backtest's last day is kept per cell (forecast vs actual): 24 hours of 15-minute intervals. */
export const RECENT_INTERVALS = 96;
/** …at this horizon, a backtest horizon: about the lead of the forecasts an hourly training serves. */
export const RECENT_HORIZON_MINUTES = 30;
/** Cells below this mean demand per interval are pooled to their parents. */
export const POOL_BELOW = 0.5;
const Z80 = 1.2816;

export interface HorizonScore {
  wape: number;
  /** Dispersion of errors around the forecast: band half-width = z × dispersion × √forecast. */
  dispersion: number;
}

export interface ModelReport {
  kind: ModelKind;
  params: Record<string, number>;
  units: number;
  /** By horizon in minutes ("15", "30", "60"). */
  horizons: Record<string, HorizonScore>;
  meanWape: number;
  /** Beats seasonal naive at every horizon (always false for seasonal naive itself). */
  beatsSeasonalNaive: boolean;
}

export interface TrainingOutcome {
  intervalMinutes: number;
  dataFrom: number;
  dataTo: number;
  heldOutFrom: number;
  heldOutWeeks: number;
  /** The baseline's WAPE per horizon: the better seasonal naive at each. */
  seasonalNaive: Record<string, number>;
  models: ModelReport[];
  live: ModelKind;
  /** A model beat seasonal naive and serves; false when seasonal naive serves. */
  promoted: boolean;
  forecast: CellForecasts;
  /**
   * The live model's backtest over the held-out weeks' last `RECENT_INTERVALS`, per cell: each
   * forecast made `RECENT_HORIZON_MINUTES` ahead with only what was known then, as scored.
   */
  recent: CellForecasts;
  timings: Record<string, number>;
}

/** Per cell, consecutive intervals from `from`: expected demand and an 80 % band. */
export interface CellForecasts {
  from: number;
  intervalMinutes: number;
  cells: readonly string[];
  demand: Float32Array[];
  low: Float32Array[];
  high: Float32Array[];
}

export interface TrainOptions {
  calendar: CalendarFeatures;
  /** Models besides seasonal naive (default: Holt-Winters and the regression). */
  candidates?: readonly ModelSpec[];
  heldOutWeeks?: number;
  poolBelow?: number;
  /** A clock for timings only (the benchmark's); defaults to none. */
  clock?: () => number;
  /** Called after each step with every fitted model still held (the benchmark measures memory there). */
  onStep?: (step: string) => void;
}

/** Too little history to train: `weeks` is how many there are (a problem says it in the caller's language). */
export class NotEnoughHistory extends Error {
  constructor(
    message: string,
    readonly weeks: number,
  ) {
    super(message);
  }
}

/** The default candidates: what is tried against seasonal naive. */
export function defaultCandidates(): ModelSpec[] {
  return [holtWinters(), regression()];
}

/**
 * Fits, backtests, gates and forecasts. `options.calendar` must cover the panel's intervals and
 * `AHEAD_INTERVALS` more.
 * @example const outcome = train(panel, { calendar }); outcome.live // "regression"
 */
export function train(panel: Panel, options: TrainOptions): TrainingOutcome {
  const clock = options.clock ?? (() => 0);
  const timings: Record<string, number> = {};
  const { week } = periods(panel.intervalMinutes);
  const weeks = Math.floor(panel.steps / week);
  if (weeks < 3)
    throw new NotEnoughHistory(
      `Training needs at least 3 weeks of history (2 to learn, 1 to hold out); there are ${(panel.steps / week).toFixed(1)}.`,
      panel.steps / week,
    );
  const heldOutWeeks = options.heldOutWeeks ?? (weeks >= 6 ? 2 : 1);
  const trainEnd = panel.steps - heldOutWeeks * week;
  const horizons = BACKTEST_HORIZONS_MINUTES.map((m) => Math.max(1, Math.round(m / panel.intervalMinutes)));
  const ctx: FitContext = {
    panel,
    trainEnd,
    calendar: options.calendar,
    ahead: AHEAD_INTERVALS,
    poolBelow: options.poolBelow ?? POOL_BELOW,
  };
  const specs = [seasonalNaive(1), seasonalNaive(4), ...(options.candidates ?? defaultCandidates())];
  const fitted: FittedModel[] = [];
  const reports: ModelReport[] = [];
  const recentHorizon = BACKTEST_HORIZONS_MINUTES.indexOf(RECENT_HORIZON_MINUTES);
  const recentSteps = Math.min(RECENT_INTERVALS, panel.steps - trainEnd);
  const recentByModel: Float32Array[] = [];
  for (const spec of specs) {
    const t0 = clock();
    const model = spec.fit(ctx);
    // Kept from the backtest itself: replaying a model later would see what it has since learnt.
    const recent = new Float32Array(panel.cells.length * recentSteps);
    const scores = backtest(model, panel, trainEnd, panel.steps, horizons, {
      from: panel.steps - recentSteps,
      horizonIndex: recentHorizon,
      demand: recent,
    });
    timings[spec.kind] = clock() - t0;
    fitted.push(model);
    recentByModel.push(recent);
    options.onStep?.(spec.kind);
    reports.push({
      kind: model.kind,
      params: model.params,
      units: model.units.length,
      horizons: Object.fromEntries(BACKTEST_HORIZONS_MINUTES.map((m, i) => [String(m), scores[i] as HorizonScore])),
      meanWape: scores.reduce((a, s) => a + s.wape, 0) / scores.length,
      beatsSeasonalNaive: false,
    });
  }
  const verdict = gate(reports);
  const live = fitted.find((m) => m.kind === verdict.live) as FittedModel;
  const liveReport = reports.find((r) => r.kind === verdict.live) as ModelReport;
  const t0 = clock();
  const forecast = cellForecasts(panel, live, liveReport);
  const kept = recentByModel[fitted.indexOf(live)] as Float32Array;
  const recentDemand = panel.cells.map((_, c) => kept.subarray(c * recentSteps, (c + 1) * recentSteps));
  const recent = withBand(panel.start + (panel.steps - recentSteps) * panel.intervalMinutes * 60_000, panel, recentDemand, () =>
    dispersionOf(liveReport, RECENT_HORIZON_MINUTES),
  );
  timings.forecast = clock() - t0;
  options.onStep?.("forecast");
  return {
    intervalMinutes: panel.intervalMinutes,
    dataFrom: panel.start,
    dataTo: panel.start + panel.steps * panel.intervalMinutes * 60_000,
    heldOutFrom: panel.start + trainEnd * panel.intervalMinutes * 60_000,
    heldOutWeeks,
    seasonalNaive: verdict.baseline,
    models: reports,
    live: verdict.live,
    promoted: verdict.promoted,
    forecast,
    recent,
    timings,
  };
}

/**
 * The promotion gate: seasonal naive's WAPE at each horizon is the better of its two variants';
 * a model passes only if it is strictly below at every horizon. Marks each report and names the
 * live model: the passing model with the lowest mean WAPE, else the better seasonal naive.
 * @example gate(reports).live // "holt-winters" when it beats seasonal naive at 15, 30 and 60 min
 */
export function gate(reports: ModelReport[]): { live: ModelKind; promoted: boolean; baseline: Record<string, number> } {
  const naive = reports.filter((r) => SEASONAL_NAIVE_KINDS.includes(r.kind));
  if (naive.length === 0) throw new Error("the gate needs seasonal naive's backtest");
  const horizons = Object.keys((naive[0] as ModelReport).horizons);
  const baseline = Object.fromEntries(
    horizons.map((h) => [h, Math.min(...naive.map((r) => r.horizons[h]?.wape ?? Number.POSITIVE_INFINITY))]),
  );
  let best: ModelReport | undefined;
  for (const r of reports) {
    if (SEASONAL_NAIVE_KINDS.includes(r.kind)) {
      r.beatsSeasonalNaive = false;
      continue;
    }
    r.beatsSeasonalNaive = horizons.every((h) => {
      const wape = r.horizons[h]?.wape;
      return wape !== undefined && Number.isFinite(wape) && wape < (baseline[h] as number);
    });
    if (r.beatsSeasonalNaive && (!best || r.meanWape < best.meanWape)) best = r;
  }
  if (best) return { live: best.kind, promoted: true, baseline };
  const fallback = naive.reduce((a, b) => (b.meanWape < a.meanWape ? b : a));
  return { live: fallback.kind, promoted: false, baseline };
}

/**
 * WAPE and dispersion per horizon of a model's rolling-origin forecasts of [from, to), judged
 * cell by cell (a pooled unit's forecast shared among its cells first). `keep` collects the
 * forecasts of one horizon from `keep.from` on, cell after cell (to − keep.from values each).
 */
export function backtest(
  model: FittedModel,
  panel: Panel,
  from: number,
  to: number,
  horizons: readonly number[],
  keep?: { from: number; horizonIndex: number; demand: Float32Array },
): HorizonScore[] {
  const n = horizons.length;
  const absolute = new Float64Array(n);
  const squared = new Float64Array(n);
  const predicted = new Float64Array(n);
  const actual = new Float64Array(n);
  model.replay(from, to, horizons, (ui, t, hi, v) => {
    const unit = model.units[ui];
    if (!unit) return;
    for (let c = 0; c < unit.cells.length; c++) {
      const y = (panel.demand[unit.cells[c] as number] as Float32Array)[t] as number;
      const yhat = v * (unit.shares[c] as number);
      if (keep && hi === keep.horizonIndex && t >= keep.from)
        keep.demand[(unit.cells[c] as number) * (to - keep.from) + t - keep.from] = yhat;
      const e = y - yhat;
      absolute[hi] = (absolute[hi] as number) + Math.abs(e);
      squared[hi] = (squared[hi] as number) + e * e;
      predicted[hi] = (predicted[hi] as number) + yhat;
      actual[hi] = (actual[hi] as number) + Math.abs(y);
    }
  });
  return horizons.map((_, i) => ({
    wape: (actual[i] as number) > 0 ? round4((absolute[i] as number) / (actual[i] as number)) : Number.NaN,
    dispersion: round4(Math.sqrt((squared[i] as number) / Math.max(1e-9, predicted[i] as number))),
  }));
}

/** The live model's forecasts after the history's end, per cell, with an 80 % band. */
function cellForecasts(panel: Panel, model: FittedModel, report: ModelReport): CellForecasts {
  const ahead = model.ahead(AHEAD_INTERVALS);
  const demand = panel.cells.map(() => new Float32Array(AHEAD_INTERVALS));
  model.units.forEach((unit, ui) => {
    const values = ahead[ui] as Float64Array;
    unit.cells.forEach((cell, c) => {
      const out = demand[cell] as Float32Array;
      for (let k = 0; k < AHEAD_INTERVALS; k++) out[k] = (values[k] as number) * (unit.shares[c] as number);
    });
  });
  const from = panel.start + panel.steps * panel.intervalMinutes * 60_000;
  return withBand(from, panel, demand, (k) => {
    const minutes = (k + 1) * panel.intervalMinutes;
    return dispersionOf(report, BACKTEST_HORIZONS_MINUTES.find((m) => minutes <= m) ?? 60);
  });
}

function dispersionOf(report: ModelReport, horizonMinutes: number): number {
  return report.horizons[String(horizonMinutes)]?.dispersion ?? 1;
}

/** Forecasts with their 80 % band: z × dispersion × √forecast either side (k: the interval's index). */
function withBand(from: number, panel: Panel, demand: Float32Array[], dispersionAt: (k: number) => number): CellForecasts {
  const low = demand.map((d) => d.map((v, k) => Math.max(0, v - Z80 * dispersionAt(k) * Math.sqrt(v))));
  const high = demand.map((d) => d.map((v, k) => v + Z80 * dispersionAt(k) * Math.sqrt(Math.max(v, 0.25))));
  return { from, intervalMinutes: panel.intervalMinutes, cells: panel.cells, demand, low, high };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
