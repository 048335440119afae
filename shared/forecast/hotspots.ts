import { expectedDemand } from "../pricing/policy";

/**
 * Driver hotspots: cells ranked by drivers short over the next `horizonMinutes`. A cell's
 * forecast over the horizon, as the decaying demand a zone would count if it arrived at that
 * rate (× the half-life's mean age), per target ratio, less the drivers expected there:
 *
 *   shortage = (expected demand / horizon × half-life / ln 2) / targetRatio − expected supply
 *
 * Pure: the hotspots route and the simulator's hotspot-following drivers rank the same way.
 */

/** One cell's forecast: demand per interval from `from`, and the available drivers expected in those intervals. */
export interface HotspotForecast {
  cell: string;
  from: number;
  intervalMinutes: number;
  demand: readonly number[];
  /** Empty when nothing is known of supply (counted as none). */
  supply: readonly number[];
}

export interface Hotspot {
  cell: string;
  expectedDemand: number;
  expectedSupply: number;
  shortage: number;
}

/**
 * The cells short of drivers, most short first (ties by cell), at most `limit`.
 * @example rankHotspots(forecasts, { demandHalfLifeSeconds: 180, targetRatio: 1 }, now, 30, 20)[0].cell
 */
export function rankHotspots(
  forecasts: Iterable<HotspotForecast>,
  settings: { demandHalfLifeSeconds: number; targetRatio: number },
  now: number,
  horizonMinutes: number,
  limit: number,
): Hotspot[] {
  const meanAgeMinutes = settings.demandHalfLifeSeconds / 60 / Math.LN2;
  const ranked: Hotspot[] = [];
  for (const f of forecasts) {
    const series = { from: f.from, intervalMinutes: f.intervalMinutes, demand: [...f.demand] };
    const expected = expectedDemand({ demand: 0, horizonMinutes, modelId: "", series }, now, horizonMinutes);
    const supply = f.supply.length > 0 ? f.supply.reduce((a, b) => a + b, 0) / f.supply.length : 0;
    const level = (expected / horizonMinutes) * meanAgeMinutes;
    ranked.push({
      cell: f.cell,
      expectedDemand: round3(expected),
      expectedSupply: round3(supply),
      shortage: round3(level / settings.targetRatio - supply),
    });
  }
  return ranked
    .filter((r) => r.shortage > 0)
    .sort((a, b) => b.shortage - a.shortage || (a.cell < b.cell ? -1 : 1))
    .slice(0, limit);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
