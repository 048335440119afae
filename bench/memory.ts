import { EventSource, Failures, sendBatch } from "./ingest";
import { MARKET_ID, putBenchMarket, startBenchPlatform, zonesOf } from "./platform";
import { directoryBytes, rssBytes } from "./proc";
import { log, mib } from "./report";
import { round, sleep } from "./stats";

/**
 * Memory per zone: one zone gets a steady stream of never-seen-before drivers and riders for a
 * while, under a market with the shortest supply window and demand half-life allowed. The zone's
 * drivers should level off after one supply window (they expire); the event ids it stores as a
 * replay guard are kept for 6 half-lives (60 s) and then swept, so workerd's resident memory and
 * the storage on disk can only level off after that: the full run feeds for 90 s.
 *
 * Samples: workerd's RSS, the drivers the API reports in the zone (the heatmap's supply over the
 * zone's cells) and the size of the Durable Objects' storage on disk.
 */

const SURGE = { supplyWindowSeconds: 10, demandHalfLifeSeconds: 10 };
const TICK_MS = 250;

export interface MemorySample {
  t: number;
  rssMiB: number;
  drivers: number;
  storageMiB: number;
}

export interface MemoryResult {
  seconds: number;
  zoneCells: number;
  supplyWindowSeconds: number;
  /** Accepted by the API. */
  driversSent: number;
  demandSent: number;
  /** Requests answered with an error status, and the first few errors. */
  failedBatches: number;
  failures: string[];
  driversPerSec: number;
  /** maxMiddle / maxLast: the highest sample in the middle and in the last third of the run. */
  rssMiB: { first: number; last: number; max: number; maxMiddle: number; maxLast: number };
  drivers: { last: number; max: number; expectedSteady: number };
  storageMiB: { first: number; last: number; max: number };
  /** The drivers the API reports never exceed what one supply window holds (+20%). */
  driversBounded: boolean;
  /** RSS in the last third of the run is at most 10% above the middle third's. */
  rssLevelled: boolean;
  bounded: boolean;
  samples: MemorySample[];
}

export async function measureMemory(options: {
  seconds: number;
  sampleEverySeconds: number;
  driversPerSec: number;
}): Promise<MemoryResult> {
  const bench = await startBenchPlatform("memory");
  try {
    const api = bench.api;
    const [zone] = zonesOf(await putBenchMarket(bench.platform, SURGE));
    if (!zone) throw new Error("the market has no cells");
    const zoneCells = new Set(zone.map((c) => c.cell));
    const source = new EventSource(zone);
    const driversPerTick = Math.round((options.driversPerSec * TICK_MS) / 1000);
    const demandPerTick = Math.round(driversPerTick / 4);

    const samples: MemorySample[] = [];
    const failures = new Failures();
    const started = performance.now();
    const sample = async () => {
      const res = await bench.partner.fetch(`/v1/markets/${MARKET_ID}/heatmap`);
      if (res.status !== 200) {
        failures.add(`GET heatmap: HTTP ${res.status} ${(await res.text()).replace(/\s+/g, " ").slice(0, 240)}`);
        return;
      }
      const heatmap = (await res.json()) as { cells: Array<{ cell: string; supply: number }> };
      const drivers = heatmap.cells.filter((c) => zoneCells.has(c.cell)).reduce((sum, c) => sum + c.supply, 0);
      samples.push({
        t: round((performance.now() - started) / 1000),
        rssMiB: round(mib(rssBytes(bench.pid) ?? 0)),
        drivers,
        storageMiB: round(mib(directoryBytes(bench.persistDir)), 2),
      });
    };
    await sample();
    log(
      `memory: feeding zone ${zone[0]?.zone} (${zone.length} cells) ${options.driversPerSec} new drivers/s for ${options.seconds}s`,
    );

    let driversSent = 0;
    let demandSent = 0;
    let nextSample = started + options.sampleEverySeconds * 1000;
    const deadline = started + options.seconds * 1000;
    for (let tick = 0; performance.now() < deadline; tick++) {
      const due = started + tick * TICK_MS;
      await sleep(Math.max(0, due - performance.now()));
      const [supply, demand] = await Promise.all([
        sendBatch(api, "supply", source.supply(driversPerTick, Date.now(), 1)),
        sendBatch(api, "demand", source.demand(demandPerTick)),
      ]);
      if (supply.error) failures.add(supply.error);
      if (demand.error) failures.add(demand.error);
      driversSent += supply.accepted;
      demandSent += demand.accepted;
      if (performance.now() >= nextSample) {
        await sample();
        nextSample += options.sampleEverySeconds * 1000;
      }
    }
    await sample();

    const seconds = (performance.now() - started) / 1000;
    const maxOf = (xs: number[]) => Math.max(...xs);
    const rssBetween = (from: number, to: number) =>
      samples.filter((s) => s.t >= from * seconds && s.t <= to * seconds).map((s) => s.rssMiB);
    const rss = samples.map((s) => s.rssMiB);
    const drivers = samples.map((s) => s.drivers);
    const storage = samples.map((s) => s.storageMiB);
    const expectedSteady = options.driversPerSec * SURGE.supplyWindowSeconds;
    const maxMiddle = maxOf(rssBetween(1 / 3, 2 / 3));
    const maxLast = maxOf(rssBetween(2 / 3, 1));
    // One window of drivers, plus what arrives before the next sweep of expired ones (a tick).
    const driversBounded = maxOf(drivers) <= expectedSteady * 1.2;
    const rssLevelled = maxLast <= maxMiddle * 1.1;
    const result: MemoryResult = {
      seconds,
      zoneCells: zone.length,
      supplyWindowSeconds: SURGE.supplyWindowSeconds,
      driversSent,
      demandSent,
      failedBatches: failures.count,
      failures: failures.samples,
      driversPerSec: driversSent / seconds,
      rssMiB: {
        first: rss[0] ?? 0,
        last: rss[rss.length - 1] ?? 0,
        max: maxOf(rss),
        maxMiddle,
        maxLast,
      },
      drivers: { last: drivers[drivers.length - 1] ?? 0, max: maxOf(drivers), expectedSteady },
      storageMiB: { first: storage[0] ?? 0, last: storage[storage.length - 1] ?? 0, max: maxOf(storage) },
      driversBounded,
      rssLevelled,
      bounded: driversBounded && rssLevelled,
      samples,
    };
    log(
      `memory: RSS ${result.rssMiB.first} → ${result.rssMiB.last} MiB (max ${result.rssMiB.max}), drivers max ${result.drivers.max} of ${driversSent} sent`,
    );
    return result;
  } finally {
    await bench.dispose();
  }
}
