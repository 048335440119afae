import type { FitContext, FittedModel, ModelSpec, Visit } from "./model";
import { periods, poolSparse, type Unit } from "./panel";

/**
 * Holt-Winters with two seasons (Taylor, 2003): a level, a daily season and a weekly season on
 * top of it, additive, with a first-order correction of the last error (demand that runs hot
 * keeps running hot for a while). Per unit, sparse cells pooled to their parents.
 *
 *   forecast(t + h) = level + day[(t + h) mod D] + week[(t + h) mod W] + φ^h × error(t)
 *   error(t)        = y(t) − forecast made at t − 1
 *   level += α e;  day[t mod D] += δ e;  week[t mod W] += ω e
 *
 * The smoothing parameters are one set per market, chosen on the last two weeks of the training
 * stretch from a small grid (rolling origin, the same horizons as the backtest) over the busiest
 * units: sparse series are too noisy to choose by and share the busy ones' dynamics.
 */

export interface HoltWintersParams {
  alpha: number;
  delta: number;
  omega: number;
  phi: number;
}

const GRID = {
  alpha: [0.01, 0.03, 0.08, 0.15],
  delta: [0.005, 0.02, 0.06],
  omega: [0.02, 0.06, 0.15],
  phi: [0, 0.4, 0.7],
};
/** Units the grid search looks at: the busiest ones. */
const SEARCH_UNITS = 40;
/** Horizons the grid search scores (intervals): those of the backtest. */
const SEARCH_HORIZONS = [1, 2, 4];

export function holtWinters(fixed?: HoltWintersParams): ModelSpec {
  return {
    kind: "holt-winters",
    fit(ctx: FitContext): FittedModel {
      const { day, week } = periods(ctx.panel.intervalMinutes);
      const units = poolSparse(ctx.panel, ctx.trainEnd, ctx.poolBelow);
      const params = fixed ?? choose(units, ctx.trainEnd, day, week);
      const steps = ctx.panel.steps;
      return {
        kind: "holt-winters",
        params: { ...params },
        units,
        replay(from, to, horizons, visit) {
          units.forEach((u, ui) => {
            filter(u.series, Math.min(to, steps), day, week, params, from, to, horizons, visit, ui);
          });
        },
        ahead(k) {
          return units.map((u) => {
            const out = new Float64Array(k);
            const hs = Array.from({ length: k }, (_, i) => i + 1);
            filter(u.series, steps, day, week, params, steps, steps + k, hs, (_, t, hi, v) => {
              if (t - steps === hi) out[hi] = v;
            });
            return out;
          });
        },
      };
    },
  };
}

/**
 * Runs the filter over y[0, known) and reports each forecast whose target lies in [from, to).
 * The seasons start from the first two weeks (or what there is): the daily season from the mean
 * of each slot over days, the weekly season from what the daily one leaves.
 */
export function filter(
  y: Float32Array,
  known: number,
  day: number,
  week: number,
  p: HoltWintersParams,
  from: number,
  to: number,
  horizons: readonly number[],
  visit: Visit,
  unit = 0,
): void {
  const init = Math.min(known, 2 * week);
  let level = 0;
  for (let t = 0; t < init; t++) level += y[t] as number;
  level /= Math.max(1, init);
  const d = new Float64Array(day);
  const dn = new Float64Array(day);
  for (let t = 0; t < init; t++) {
    d[t % day] = (d[t % day] as number) + (y[t] as number);
    dn[t % day] = (dn[t % day] as number) + 1;
  }
  for (let s = 0; s < day; s++) d[s] = (dn[s] as number) > 0 ? (d[s] as number) / (dn[s] as number) - level : 0;
  const w = new Float64Array(week);
  const wn = new Float64Array(week);
  for (let t = 0; t < init; t++) {
    w[t % week] = (w[t % week] as number) + (y[t] as number) - level - (d[t % day] as number);
    wn[t % week] = (wn[t % week] as number) + 1;
  }
  for (let s = 0; s < week; s++) w[s] = (wn[s] as number) > 0 ? (w[s] as number) / (wn[s] as number) : 0;

  const maxH = horizons.reduce((a, b) => Math.max(a, b), 0);
  // Origins whose forecasts can land in [from, to): the last known interval at most.
  const firstOrigin = Math.max(0, from - maxH);
  const lastOrigin = Math.min(known - 1, to - 1);
  const { alpha, delta, omega, phi } = p;
  let error = 0;
  for (let t = 0; t <= lastOrigin; t++) {
    const fitted = level + (d[t % day] as number) + (w[t % week] as number) + phi * error;
    const e = (y[t] as number) - fitted;
    level += alpha * e;
    d[t % day] = (d[t % day] as number) + delta * e;
    w[t % week] = (w[t % week] as number) + omega * e;
    error = e;
    if (t < firstOrigin) continue;
    let decay = 1;
    let hPrev = 0;
    for (let hi = 0; hi < horizons.length; hi++) {
      const h = horizons[hi] as number;
      decay *= phi ** (h - hPrev);
      hPrev = h;
      const target = t + h;
      if (target < from || target >= to) continue;
      const v = level + (d[target % day] as number) + (w[target % week] as number) + decay * error;
      visit(unit, target, hi, Math.max(v, 0));
    }
  }
}

/** The grid's best parameters by WAPE over the last two weeks of training, on the busiest units. */
function choose(units: readonly Unit[], trainEnd: number, day: number, week: number): HoltWintersParams {
  const busiest = [...units].sort((a, b) => b.scale - a.scale).slice(0, SEARCH_UNITS);
  const from = Math.max(2 * week, trainEnd - 2 * week);
  let best: HoltWintersParams = { alpha: 0.03, delta: 0.02, omega: 0.06, phi: 0.4 };
  if (from >= trainEnd) return best;
  let bestError = Number.POSITIVE_INFINITY;
  for (const alpha of GRID.alpha)
    for (const delta of GRID.delta)
      for (const omega of GRID.omega)
        for (const phi of GRID.phi) {
          const p = { alpha, delta, omega, phi };
          let error = 0;
          for (const u of busiest) {
            const y = u.series;
            filter(y, trainEnd, day, week, p, from, trainEnd, SEARCH_HORIZONS, (_, t, __, v) => {
              error += Math.abs((y[t] as number) - v);
            });
          }
          if (error < bestError) {
            bestError = error;
            best = p;
          }
        }
  return best;
}
