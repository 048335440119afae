import { demoMarket } from "../harness/fixtures";
import { type SyntheticHistory, syntheticHistory } from "../shared/forecast/synthetic";
import type { Geofence } from "../shared/pricing/market";
import { geofenceCells } from "../shared/pricing/zoning";

/** The demo markets' synthetic histories, as the history and backtest scripts (and the bench) make them. */

/** Each demo market's stadium: Madison Square Garden, Thống Nhất Stadium. */
export const VENUES: Record<string, { lat: number; lng: number; name: string }> = {
  "nyc-manhattan": { lat: 40.7505, lng: -73.9934, name: "Madison Square Garden" },
  "hcmc-central": { lat: 10.7602, lng: 106.6633, name: "Thong Nhat Stadium" },
};
export type DemoMarketName = "nyc-manhattan" | "hcmc-central";

export function isDemoMarket(name: string): name is DemoMarketName {
  return name in VENUES;
}

/** A demo market's cells and a seeded history of `weeks` weeks ending at `end` (epoch ms, on a 15-minute boundary). */
export function demoHistory(
  name: DemoMarketName,
  options: { weeks: number; seed: number; end: number },
): SyntheticHistory & { cells: string[]; start: number; searchWeight: number } {
  const market = demoMarket(name) as {
    geofence: Geofence;
    resolution?: number;
    timezone: string;
    surge?: { searchWeight?: number };
  };
  const cells = geofenceCells(market.geofence, market.resolution ?? 8);
  const start = options.end - options.weeks * 7 * 86_400_000;
  const history = syntheticHistory({
    cells,
    start,
    weeks: options.weeks,
    seed: options.seed,
    utcOffsetMinutes: utcOffsetMinutes(market.timezone, start),
    venue: VENUES[name],
  });
  return { ...history, cells, start, searchWeight: market.surge?.searchWeight ?? 0.3 };
}

/** The zone's offset from UTC at an instant, in minutes (fixed for a history: daylight saving is ignored there). */
export function utcOffsetMinutes(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((local - Math.floor(at / 60_000) * 60_000) / 60_000);
}
