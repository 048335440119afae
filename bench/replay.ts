import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gridDisk, latLngToCell } from "h3-js";
import { profile, type ReplayEvent, replay, warmUpMs } from "../shared/experiments/replay";
import { Random } from "../shared/kit/random";
import { type SurgeSettings, SurgeSettingsSchema } from "../shared/pricing/market";
import { geofenceCells } from "../shared/pricing/zoning";
import { log, table } from "./report";

/**
 * How fast a replay runs: recorded-like events of a demo market (drivers reporting every 20 s,
 * riders searching and requesting as a Poisson process, a crowd at one venue for a third of the
 * period) run through the pure core, as `POST /v1/markets/{marketId}/replay` runs them, timed in
 * this process. Runnable on its own (`bun bench/replay.ts [--minutes 60] [--market nyc-manhattan]
 * [--seed 1]`); the last line is JSON.
 */

export interface SyntheticPeriod {
  cells: Set<string>;
  settings: SurgeSettings;
  events: ReplayEvent[];
  from: number;
  to: number;
}

/**
 * A period of a demo market's events: `drivers` reporting status every 20 s (a fifth of them busy
 * at any time), riders arriving at `ridersPerMinute` over the market (each searches; 70% request),
 * and 8× demand in the venue's cell and ring for the middle third. From `from − warm-up` to `to`.
 */
export function syntheticPeriod(options: {
  market?: "nyc-manhattan" | "hcmc-central";
  minutes: number;
  seed: number;
  from?: number;
  drivers?: number;
  ridersPerMinute?: number;
}): SyntheticPeriod {
  const marketFile = resolve(import.meta.dir, `../db/seed/markets/${options.market ?? "nyc-manhattan"}.json`);
  const market = JSON.parse(readFileSync(marketFile, "utf8"));
  const settings = SurgeSettingsSchema.parse(market.surge ?? {});
  const cellList = geofenceCells(market.geofence, market.resolution ?? 8);
  const cells = new Set(cellList);
  const from = options.from ?? Date.UTC(2026, 11, 1, 18);
  const to = from + options.minutes * 60_000;
  const start = from - warmUpMs(settings);
  const random = new Random(options.seed, "replay-bench");
  const drivers = options.drivers ?? Math.round(9 * cellList.length);
  const ridersPerMinute = options.ridersPerMinute ?? Math.round(0.6 * cellList.length);
  const venue = latLngToCell(40.7505, -73.9934, market.resolution ?? 8);
  const venueCells = gridDisk(venue, 1).filter((c) => cells.has(c));
  const events: ReplayEvent[] = [];
  const driverCell = Array.from({ length: drivers }, () => cellList[random.int(cellList.length)] as string);
  for (let t = start; t < to; t += 20_000) {
    for (let d = 0; d < drivers; d++) {
      if (random.chance(0.02)) driverCell[d] = cellList[random.int(cellList.length)] as string;
      const at = t + random.int(20_000);
      events.push({
        kind: "supply",
        source: "partner",
        actorId: `d${d}`,
        cell: driverCell[d] as string,
        at,
        status: random.chance(0.2) ? "busy" : "available",
      });
    }
  }
  let rider = 0;
  for (let t = start; t < to; t += 1000) {
    const crowd = t >= from + (options.minutes * 60_000) / 3 && t < from + (2 * options.minutes * 60_000) / 3;
    const arrivals = random.poisson(ridersPerMinute / 60);
    const venueArrivals = crowd ? random.poisson((8 * ridersPerMinute * venueCells.length) / cellList.length / 60) : 0;
    for (let k = 0; k < arrivals + venueArrivals; k++) {
      const cell =
        k < arrivals ? (cellList[random.int(cellList.length)] as string) : (venueCells[random.int(venueCells.length)] as string);
      const at = t + random.int(1000);
      const id = `r${rider++}`;
      events.push({ kind: "demand", source: "partner", actorId: id, cell, at, status: "search" });
      if (random.chance(0.7))
        events.push({ kind: "demand", source: "partner", actorId: id, cell, at: at + 5_000, status: "request" });
    }
  }
  const recorded = events.filter((e) => e.at < to).sort((a, b) => a.at - b.at);
  return { cells, settings, events: recorded, from, to };
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

if (import.meta.main) {
  const minutes = Number(option("minutes", "60"));
  const seed = Number(option("seed", "1"));
  const market = option("market", "nyc-manhattan") as "nyc-manhattan" | "hcmc-central";
  log(`generating ${minutes} minutes of ${market} (seed ${seed})`);
  const period = syntheticPeriod({ market, minutes, seed });
  const candidate = { ...period.settings, sensitivity: period.settings.sensitivity * 2 };
  // One warm run (JIT), then timed runs of the market's settings and of the candidate.
  replay(period.events, { ...period, settings: period.settings });
  const rows = [];
  const figures: Record<string, number> = {};
  for (const [name, settings] of [
    ["market settings", period.settings],
    ["candidate (2× sensitivity)", candidate],
  ] as const) {
    const started = performance.now();
    const run = replay(period.events, { cells: period.cells, settings, from: period.from, to: period.to });
    const seconds = (performance.now() - started) / 1000;
    const p = profile(run.minutes, settings.cap);
    const perSecond = Math.round(run.events / seconds);
    figures[name === "market settings" ? "eventsPerSecond" : "candidateEventsPerSecond"] = perSecond;
    rows.push({
      figure: `replay, ${name}`,
      value: `${perSecond.toLocaleString("en-US")} events/s`,
      note: `${run.events.toLocaleString("en-US")} events, ${run.ticks.toLocaleString("en-US")} ticks in ${seconds.toFixed(2)} s; ${p.cellMinutes} cell-minutes, mean ×${p.mean?.toFixed(2)}, at cap ${(p.timeAtCap * 100).toFixed(1)}%, ${p.changesPerHour.toFixed(1)} changes/cell-hour`,
    });
  }
  console.log(table(rows));
  console.log(
    JSON.stringify({ replay: { market, minutes, events: period.events.length, cells: period.cells.size, ...figures } }),
  );
}
