/**
 * A cell's forecast beside the demand that came, interval by interval — what the console's chart
 * draws and how far off the forecast was over it:
 *
 *   WAPE = Σ |actual − forecast| / Σ actual   over the intervals that have both
 *
 * (the backtest's measure, so the chart and the model registry speak of the same error).
 */

export interface StoredForecast {
  /** The interval's start, epoch ms. */
  at: number;
  demand: number;
  low: number;
  high: number;
}

export interface ComparedPoint {
  at: string;
  /** Null until the interval has ended. */
  actual: number | null;
  forecast: number | null;
  low: number | null;
  high: number | null;
}

/**
 * Intervals from `from` until `done` (actuals: `actual` by interval index, missing ones were
 * empty) and on to the last stored forecast.
 *
 * @example forecastVersusActual(t0, t0 + 2 * 900_000, 15, new Map([[0, 4]]), [{ at: t0, demand: 3, low: 1, high: 5 }])
 *   // { wape: 0.25, points: [{ actual: 4, forecast: 3, … }, { actual: 0, forecast: null, … }] }
 */
export function forecastVersusActual(
  from: number,
  done: number,
  intervalMinutes: number,
  actual: ReadonlyMap<number, number>,
  forecasts: readonly StoredForecast[],
): { wape: number | null; points: ComparedPoint[] } {
  const interval = intervalMinutes * 60_000;
  const byAt = new Map(forecasts.map((f) => [f.at, f]));
  const last = forecasts.reduce((end, f) => Math.max(end, f.at + interval), done);
  const points: ComparedPoint[] = [];
  let error = 0;
  let total = 0;
  for (let at = from; at < last; at += interval) {
    const y = at < done ? (actual.get(Math.round((at - from) / interval)) ?? 0) : null;
    const f = byAt.get(at);
    if (y !== null && f) {
      error += Math.abs(y - f.demand);
      total += y;
    }
    points.push({
      at: new Date(at).toISOString(),
      actual: y === null ? null : round3(y),
      forecast: f ? f.demand : null,
      low: f ? f.low : null,
      high: f ? f.high : null,
    });
  }
  return { wape: total > 0 ? Math.round((error / total) * 10_000) / 10_000 : null, points };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
