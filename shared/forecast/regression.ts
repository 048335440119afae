import type { FitContext, FittedModel, ModelSpec } from "./model";
import { periods, poolSparse, type Unit, type UnitCalendar, unitCalendar } from "./panel";

/**
 * A small regression shared by every unit of a market, one per horizon (direct forecasts): the
 * next value, relative to the unit's own scale, from
 *
 *   - the same slot in earlier weeks (the mean of the last four that were ordinary days, and last
 *     week's), yesterday's, and the mean of the last seven days' (less noisy, blind to weekdays);
 *   - how far the last hour ran above or below those seasonal values (1, 4 and 16 intervals):
 *     the day's weather, a trend, a holiday the series is in;
 *   - the calendar at the target: a holiday (scaling the seasonal value, and the quiet Sunday it
 *     resembles), riders arriving for a happening and leaving it, in thousands of attendees.
 *
 * Fitted by weighted ridge least squares (weights by unit scale, so busy cells count as WAPE
 * counts them) from sufficient statistics (XᵀX, Xᵀy) that grow as data arrives: on the training
 * stretch, then week by week with older weeks discounted, so the coefficients follow the market.
 * Busy cells alone, sparse ones pooled to their parents.
 */

const FEATURES = [
  "intercept",
  "seasonal4",
  "seasonal1",
  "yesterday",
  "lastSevenDays",
  "deviation1",
  "deviation4",
  "deviation16",
  "holiday",
  "holidaySunday",
  "arrival",
  "letOut",
] as const;
const K = FEATURES.length;
const RIDGE = 1e-3;
/** Weight of older statistics at each weekly refit: recent weeks count more. */
const FORGET = 0.85;

export interface Stats {
  xtx: Float64Array;
  xty: Float64Array;
}

export function regression(): ModelSpec {
  return {
    kind: "regression",
    fit(ctx: FitContext): FittedModel {
      const { day, week } = periods(ctx.panel.intervalMinutes);
      const units = poolSparse(ctx.panel, ctx.trainEnd, ctx.poolBelow);
      const calendars = units.map((u) => unitCalendar(ctx.panel, u, ctx.calendar));
      const steps = ctx.panel.steps;
      const length = steps + ctx.ahead;
      const stats = new Map<number, Stats>();
      const coefficients = new Map<number, Float64Array>();
      let fittedUntil = 0;
      const features = new Float64Array(K);
      // One unit is looked at at a time: its view's buffers are allocated once and refilled.
      const scratch = {
        ordinary: new Float64Array(length),
        daily: new Float64Array(length),
        deviations: new Float64Array(steps + 1),
        days: new Float64Array(Math.ceil(steps / day)),
      };
      const view = (ui: number) => unitView(units[ui] as Unit, calendars[ui] as UnitCalendar, scratch, steps, day, week);

      /** Adds every target in [from, to) to the statistics of each horizon, and solves again. */
      const learn = (from: number, to: number, horizons: readonly number[]) => {
        const all = horizons.map((h) => {
          let s = stats.get(h);
          if (!s) {
            s = { xtx: new Float64Array(K * K), xty: new Float64Array(K) };
            stats.set(h, s);
          }
          return [h, s] as const;
        });
        for (let ui = 0; ui < units.length; ui++) {
          const v = view(ui);
          for (const [h, s] of all) {
            for (let t = Math.max(from, week + h); t < to; t++) {
              describe(v, t, t - h, features);
              const y = (v.unit.series[t] as number) / v.scale;
              for (let i = 0; i < K; i++) {
                const xi = (features[i] as number) * v.scale;
                if (xi === 0) continue;
                s.xty[i] = (s.xty[i] as number) + xi * y;
                for (let j = i; j < K; j++) s.xtx[i * K + j] = (s.xtx[i * K + j] as number) + xi * (features[j] as number);
              }
            }
          }
        }
        for (const [h, s] of all) coefficients.set(h, solve(s));
        fittedUntil = Math.max(fittedUntil, to);
      };
      const forget = () => {
        for (const s of stats.values()) {
          for (let i = 0; i < s.xtx.length; i++) s.xtx[i] = (s.xtx[i] as number) * FORGET;
          for (let i = 0; i < s.xty.length; i++) s.xty[i] = (s.xty[i] as number) * FORGET;
        }
      };
      const predict = (v: UnitView, target: number, origin: number, h: number): number => {
        describe(v, target, origin, features);
        const beta = coefficients.get(h) as Float64Array;
        let y = 0;
        for (let i = 0; i < K; i++) y += (beta[i] as number) * (features[i] as number);
        return y > 0 ? y * v.scale : 0;
      };
      /** A horizon first asked for now learns from what the others have learnt from. */
      const ensure = (horizons: readonly number[]) => {
        const missing = horizons.filter((h) => !coefficients.has(h));
        if (missing.length === 0) return;
        const until = fittedUntil;
        learn(0, until, missing);
      };

      learn(0, ctx.trainEnd, [1, 2, 4]);
      return {
        kind: "regression",
        params: { features: K, ridge: RIDGE, forget: FORGET },
        units,
        replay(from, to, horizons, visit) {
          ensure(horizons);
          // Week by week: forecast it with what was learnt before it, then learn from it.
          for (let a = from; a < to; a += week) {
            const b = Math.min(to, a + week);
            for (let ui = 0; ui < units.length; ui++) {
              const v = view(ui);
              for (let t = Math.max(a, week); t < b; t++)
                for (let hi = 0; hi < horizons.length; hi++) {
                  const h = horizons[hi] as number;
                  visit(ui, t, hi, predict(v, t, t - h, h));
                }
            }
            if (b > fittedUntil) {
              forget();
              learn(Math.max(a, fittedUntil), b, [...stats.keys()]);
            }
          }
        },
        ahead(k) {
          const hs = Array.from({ length: k }, (_, i) => horizonFor(i + 1));
          ensure([...new Set(hs)]);
          if (fittedUntil < steps) {
            forget();
            learn(fittedUntil, steps, [...stats.keys()]);
          }
          return units.map((_, ui) => {
            const v = view(ui);
            return Float64Array.from({ length: k }, (_, i) => predict(v, steps + i, steps - 1, hs[i] as number));
          });
        },
      };
    },
  };
}

/** Horizons are fitted at 1, 2, 4, 8, 16 intervals; a horizon between uses the next one up (its deviations count less). */
function horizonFor(k: number): number {
  for (const h of [1, 2, 4, 8, 16]) if (k <= h) return h;
  return k;
}

/**
 * One unit's series with what its features read, computed once per pass: the ordinary seasonal
 * value of every interval (it reads only weeks before it), cumulative deviations from it, and
 * daily totals (to find the quiet day a holiday resembles).
 */
interface UnitView {
  unit: Unit;
  cal: UnitCalendar;
  scale: number;
  ordinary: Float64Array;
  /** Mean of the same time of day over the seven days before. */
  daily: Float64Array;
  deviations: Float64Array;
  days: Float64Array;
  day: number;
  week: number;
}

function unitView(
  unit: Unit,
  cal: UnitCalendar,
  scratch: Pick<UnitView, "ordinary" | "daily" | "deviations" | "days">,
  known: number,
  day: number,
  week: number,
): UnitView {
  const { ordinary, daily, deviations, days } = scratch;
  const length = ordinary.length;
  for (let t = 0; t < length; t++) ordinary[t] = ordinarySlot(unit, cal, t, week, known);
  for (let t = 0; t < length; t++) {
    let total = 0;
    let n = 0;
    for (let k = 1; k <= 7; k++) {
      const s = t - k * day;
      if (s < 0 || s >= known) continue;
      total += unit.series[s] as number;
      n++;
    }
    daily[t] = n > 0 ? total / n : 0;
  }
  deviations[0] = 0;
  for (let t = 0; t < known; t++)
    deviations[t + 1] = (deviations[t] as number) + (t >= week ? (unit.series[t] as number) - (ordinary[t] as number) : 0);
  days.fill(0);
  for (let t = 0; t < known; t++) days[Math.floor(t / day)] = (days[Math.floor(t / day)] as number) + (unit.series[t] as number);
  return { unit, cal, scale: Math.max(unit.scale, 0.05), ordinary, daily, deviations, days, day, week };
}

/**
 * The features of forecasting `target` at `origin` (relative to the unit's scale): only values
 * up to the origin are read, and the calendar (known ahead) at the target.
 */
function describe(v: UnitView, target: number, origin: number, out: Float64Array): void {
  const { unit, cal, scale, day, week } = v;
  const y = unit.series;
  const seasonal4 = v.ordinary[target] as number;
  out[0] = 1;
  out[1] = seasonal4 / scale;
  out[2] = target - week >= 0 && target - week <= origin ? (y[target - week] as number) / scale : out[1];
  out[3] = target - day >= 0 && target - day <= origin ? (y[target - day] as number) / scale : out[1];
  out[4] = (v.daily[target] as number) / scale;
  const dev = (n: number) => {
    const a = Math.max(0, origin + 1 - n);
    return ((v.deviations[origin + 1] as number) - (v.deviations[a] as number)) / n / scale;
  };
  out[5] = dev(1);
  out[6] = dev(4);
  out[7] = dev(16);
  const holiday = (cal.holiday[target] ?? 0) === 1;
  out[8] = holiday ? out[1] : 0;
  out[9] = holiday ? quietDaySlot(v, target, origin) / scale : 0;
  out[10] = (cal.arrival?.[target] ?? 0) / scale;
  out[11] = (cal.letOut?.[target] ?? 0) / scale;
}

/**
 * Mean of the same slot over the last four weeks, leaving out weeks when that slot was a
 * holiday or had a happening (a seasonal value of an ordinary day); all four if none was.
 */
function ordinarySlot(u: Unit, cal: UnitCalendar, t: number, week: number, known: number): number {
  let total = 0;
  let n = 0;
  let all = 0;
  let alln = 0;
  for (let k = 1; k <= 4; k++) {
    const s = t - k * week;
    if (s < 0 || s >= known) continue;
    const v = u.series[s] as number;
    all += v;
    alln++;
    if ((cal.holiday[s] ?? 0) === 1 || (cal.letOut?.[s] ?? 0) > 0 || (cal.arrival?.[s] ?? 0) > 0) continue;
    total += v;
    n++;
  }
  return n > 0 ? total / n : alln > 0 ? all / alln : 0;
}

/** The same time of day on the quietest whole day of the week before: what a holiday looks like (a Sunday, in most cities). */
function quietDaySlot(v: UnitView, t: number, origin: number): number {
  const { day } = v;
  let best = -1;
  let quietest = Number.POSITIVE_INFINITY;
  for (let k = 1; k <= 7; k++) {
    const s = t - k * day;
    const d = Math.floor(s / day);
    if (s < 0 || (d + 1) * day - 1 > origin) continue;
    const total = v.days[d] as number;
    if (total < quietest) {
      quietest = total;
      best = s;
    }
  }
  return best >= 0 ? (v.unit.series[best] as number) : 0;
}

/** Ridge solution of the normal equations (upper triangle stored), by Cholesky. */
export function solve(s: Stats): Float64Array {
  const a = new Float64Array(K * K);
  let trace = 0;
  for (let i = 0; i < K; i++) trace += s.xtx[i * K + i] as number;
  const ridge = RIDGE * Math.max(1, trace / K);
  for (let i = 0; i < K; i++)
    for (let j = i; j < K; j++) {
      const v = (s.xtx[i * K + j] as number) + (i === j && i > 0 ? ridge : 0) + (i === j && i === 0 ? 1e-9 : 0);
      a[i * K + j] = v;
      a[j * K + i] = v;
    }
  // Cholesky: a = L Lᵀ
  const l = new Float64Array(K * K);
  for (let i = 0; i < K; i++)
    for (let j = 0; j <= i; j++) {
      let v = a[i * K + j] as number;
      for (let k = 0; k < j; k++) v -= (l[i * K + k] as number) * (l[j * K + k] as number);
      l[i * K + j] = i === j ? Math.sqrt(Math.max(v, 1e-12)) : v / (l[j * K + j] as number);
    }
  const z = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let v = s.xty[i] as number;
    for (let k = 0; k < i; k++) v -= (l[i * K + k] as number) * (z[k] as number);
    z[i] = v / (l[i * K + i] as number);
  }
  const beta = new Float64Array(K);
  for (let i = K - 1; i >= 0; i--) {
    let v = z[i] as number;
    for (let k = i + 1; k < K; k++) v -= (l[k * K + i] as number) * (beta[k] as number);
    beta[i] = v / (l[i * K + i] as number);
  }
  return beta;
}
