import { EventSource, Failures, sendBatch } from "./ingest";
import {
  API_ISOLATE,
  type HeapUsage,
  HISTORY_ISOLATE,
  heapUsage,
  inspectedWorkerd,
  isolateIds,
  isPlatformIsolate,
  liveHeap,
} from "./inspector";
import { Listeners } from "./listeners";
import { closeAll, subscribe } from "./live";
import { type BenchPlatform, type Cell, MARKET_ID, putBenchMarket, startBenchPlatform, zonesOf } from "./platform";
import { directoryBytes, rssBytes } from "./proc";
import { log, mib } from "./report";
import { round, sleep } from "./stats";

/**
 * Memory of one zone, in two parts, each on a fresh instance:
 *
 * 1. **What a driver and a socket cost.** One zone is sent `drivers` never-seen drivers under a
 *    supply window of an hour (none expires), then `sockets` live subscribers connect (held by
 *    a process of their own). Before and after each, once history has drained: workerd's resident
 *    memory (the whole platform: both Workers, the queue, SQLite) and the heap of the API
 *    isolate, live after a full collection (see `settledHeap`), which hosts the zone objects (a Durable Object's
 *    128 MB is its isolate's memory).
 *    The heap with all the drivers held is the figure held against 128 MB.
 * 2. **A soak.** For `seconds` (5 minutes in the full run) one zone gets a steady stream of
 *    never-seen drivers and riders under the shortest supply window and demand half-life
 *    allowed (10 s: event ids are kept 6 half-lives, 60 s, then swept), while a few subscribers
 *    watch it. Sampled: RSS, both isolates' heaps, the drivers the API reports in the zone, the
 *    Durable Objects' storage on disk and the history backlog. Bounded means the drivers never
 *    exceed one window's worth, and RSS and the API heap level off: the last third of the run
 *    no higher than the middle third (RSS averages within 5%, the heap's peak within 10%).
 *    Each sample also splits RSS by owner: the zone's isolate (the API's, whose V8 heap and
 *    ArrayBuffer backing stores are what a Durable Object's 128 MB bounds), the platform's other
 *    isolates, Miniflare's own (its queue broker, asset router, entry Worker) and the rest, native
 *    memory no isolate reports (SQLite, sockets, what workerd's allocator keeps after a free).
 *
 * Heaps come from workerd's inspector (see `inspector.ts`); without it only RSS is reported.
 */

const PER_DRIVER_SURGE = { supplyWindowSeconds: 3600, demandHalfLifeSeconds: 10 };
const SOAK_SURGE = { supplyWindowSeconds: 10, demandHalfLifeSeconds: 10 };
const TICK_MS = 250;
const BATCH = 1000;
/** Subscribers watching the soaked zone: a few cells, a few sockets each. */
const SOAK_CELLS = 4;
const SOAK_SOCKETS_PER_CELL = 5;
/** How long history may take to drain before a "before/after" sample is taken anyway. */
const DRAIN_LIMIT_MS = 60_000;

export interface MemorySample {
  t: number;
  rssMiB: number;
  /** Heap used by the API isolate (edge and zones) and the history writer's, MiB; null without the inspector. */
  apiHeapMiB: number | null;
  historyHeapMiB: number | null;
  /** What both heaps have reserved, MiB (resident as far as they have been touched). */
  heapsTotalMiB: number | null;
  drivers: number;
  storageMiB: number;
  /** History rows not yet confirmed in Postgres, across outboxes. */
  outboxPending: number | null;
  /** RSS by owner, MiB (null without the inspector): see `Owners`. */
  owners: Owners | null;
}

/** Where workerd's resident memory is, MiB: reserved V8 heap plus ArrayBuffer backing stores per isolate. */
export interface Owners {
  /** The API isolate, which hosts the zone objects (and the edge). */
  zone: number;
  /** The platform's other Workers (the history writer, notifications). */
  platform: number;
  /** Miniflare's isolates: its queue broker, asset router, entry Worker, caches. */
  emulator: number;
  /** RSS that no isolate reports: SQLite, sockets, workerd's own structures and what its allocator keeps. */
  native: number;
}

export interface CostResult {
  /** Drivers sent and those the API reports held in the zone. */
  drivers: number;
  driversHeld: number;
  sockets: number;
  /** Growth per driver / per socket: of the API heap (null without the inspector) and of workerd's RSS, bytes. */
  heapBytesPerDriver: number | null;
  rssBytesPerDriver: number;
  heapBytesPerSocket: number | null;
  rssBytesPerSocket: number;
  /** The API isolate's heap with every driver held (MiB): the figure held against a Durable Object's 128 MB. */
  apiHeapWithDriversMiB: number | null;
  rssMiB: { start: number; withDrivers: number; withSockets: number };
}

export interface SoakResult {
  seconds: number;
  zoneCells: number;
  supplyWindowSeconds: number;
  driversSent: number;
  demandSent: number;
  subscribers: number;
  driversPerSec: number;
  rssMiB: { first: number; last: number; max: number; meanMiddle: number; meanLast: number };
  /** Least-squares slope of RSS over the second half of the soak, MiB per minute. */
  rssSlopeLastHalfMiBPerMin: number;
  /**
   * The API heap's used size in the middle and last thirds: its peaks (garbage included, so they
   * move with when collections happen) and its floors (what each collection left: a leak raises them).
   */
  apiHeapMiB: { maxMiddle: number; maxLast: number; minMiddle: number; minLast: number } | null;
  /** The zone's isolate (reserved heap + backing stores), mean of the middle and last thirds. */
  zoneMiB: { meanMiddle: number; meanLast: number; max: number } | null;
  /** RSS by owner at the first and the last sample. */
  owners: { first: Owners; last: Owners } | null;
  drivers: { last: number; max: number; expectedSteady: number };
  storageMiB: { first: number; last: number; max: number };
  outboxPendingLast: number | null;
  samples: MemorySample[];
}

export interface MemoryResult {
  cost: CostResult;
  soak: SoakResult;
  /** The drivers the API reports never exceed what one supply window holds (+20%). */
  driversBounded: boolean;
  /** RSS in the last third of the soak averages at most 5% above the middle third. */
  rssLevelled: boolean;
  /** The API heap's peak in the last third at most 10% above the middle third's (null without the inspector). */
  heapLevelled: boolean | null;
  /**
   * The zone's isolate levels off: its memory (reserved heap + backing stores) in the last third
   * averages at most 5% above the middle third's, and its heap's floor (what collections leave)
   * at most 10% above.
   */
  zoneLevelled: boolean | null;
  bounded: boolean;
  failedBatches: number;
  failures: string[];
}

export interface MemoryOptions {
  drivers: number;
  sockets: number;
  seconds: number;
  sampleEverySeconds: number;
  driversPerSec: number;
}

/** What one instance is measured with: RSS, isolates' heaps, the zone's drivers, storage, backlog. */
class Probe {
  readonly #admin;
  constructor(
    readonly bench: BenchPlatform,
    readonly inspectorPort: number | undefined,
    readonly zoneCells: ReadonlySet<string>,
    readonly failures: Failures,
  ) {
    this.#admin = bench.platform.as("admin");
  }

  rss(): number {
    return rssBytes(this.bench.pid) ?? 0;
  }

  /**
   * The API heap's live size: its used size right after a full collection (see `liveHeap`), so
   * that garbage not yet collected counts in no figure. Where the snapshot does not answer, the
   * least of reads spread over a few seconds, one of which likely falls just after a collection.
   */
  async settledHeap(reads = 10): Promise<number | undefined> {
    if (this.inspectorPort === undefined) return undefined;
    const live = await liveHeap(this.inspectorPort, API_ISOLATE);
    if (live !== undefined) return live;
    let least: number | undefined;
    for (let i = 0; i < reads; i++) {
      const h = await heapUsage(this.inspectorPort, API_ISOLATE);
      if (h) least = Math.min(least ?? Number.POSITIVE_INFINITY, h.used);
      await sleep(400);
    }
    return least;
  }

  /**
   * Every isolate's heap, by inspector id (null without the inspector). One session per isolate
   * at a time: an isolate asked twice at once answers one of them.
   */
  async isolates(): Promise<Map<string, HeapUsage | undefined> | null> {
    if (this.inspectorPort === undefined) return null;
    const port = this.inspectorPort;
    const ids = await isolateIds(port).catch(() => [] as string[]);
    return new Map(await Promise.all(ids.map(async (id) => [id, await heapUsage(port, id)] as const)));
  }

  async drivers(): Promise<number> {
    const res = await this.bench.partner.fetch(`/v1/markets/${MARKET_ID}/heatmap`);
    if (res.status !== 200) {
      this.failures.add(`GET heatmap: HTTP ${res.status} ${(await res.text()).replace(/\s+/g, " ").slice(0, 240)}`);
      return 0;
    }
    const heatmap = (await res.json()) as { cells: Array<{ cell: string; supply: number }> };
    return heatmap.cells.filter((c) => this.zoneCells.has(c.cell)).reduce((sum, c) => sum + c.supply, 0);
  }

  async pending(): Promise<number | null> {
    const res = await this.#admin.fetch("/v1/system/backlog");
    return res.status === 200 ? ((await res.json()) as { pending: number }).pending : null;
  }

  /** Waits (bounded) until every outbox has been confirmed: what is in flight is not what the zone keeps. */
  async drained(): Promise<void> {
    const until = performance.now() + DRAIN_LIMIT_MS;
    while (performance.now() < until && ((await this.pending()) ?? 0) > 0) await sleep(500);
  }
}

/** Starts an instance whose workerd answers the inspector when it can. */
async function startInspected(label: string): Promise<{ bench: BenchPlatform; port: number | undefined }> {
  let inspector: Awaited<ReturnType<typeof inspectedWorkerd>> | undefined;
  try {
    inspector = await inspectedWorkerd();
  } catch (error) {
    log(`memory: no inspector (${String(error)}): RSS only`);
  }
  try {
    const bench = await startBenchPlatform(label);
    const port = inspector && (await heapUsage(inspector.port, API_ISOLATE)) ? inspector.port : undefined;
    if (inspector && port === undefined) log("memory: workerd's inspector did not answer: RSS only");
    return { bench, port };
  } finally {
    inspector?.restore();
  }
}

async function measureCost(options: MemoryOptions, failures: Failures): Promise<CostResult> {
  const { bench, port } = await startInspected("memory: cost");
  const listeners = Listeners.start();
  try {
    const [zone] = zonesOf(await putBenchMarket(bench.platform, PER_DRIVER_SURGE));
    if (!zone) throw new Error("the market has no cells");
    const probe = new Probe(bench, port, new Set(zone.map((c) => c.cell)), failures);
    const source = new EventSource(zone);
    const feed = async (n: number) => {
      for (let sent = 0; sent < n; sent += BATCH) {
        const r = await sendBatch(bench.api, "supply", source.supply(Math.min(BATCH, n - sent), Date.now(), 1));
        if (r.error) failures.add(r.error);
      }
    };
    // The zone exists and its code paths are warm before the first sample.
    await feed(BATCH);
    await probe.drained();
    await sleep(2000);
    const before = { rss: probe.rss(), heap: await probe.settledHeap(), drivers: await probe.drivers() };
    log(`memory: sending ${options.drivers} drivers to zone ${zone[0]?.zone}`);
    await feed(options.drivers);
    await probe.drained();
    await sleep(2000);
    const withDrivers = { rss: probe.rss(), heap: await probe.settledHeap(), drivers: await probe.drivers() };
    const cell = zone[0] as Cell;
    log(`memory: connecting ${options.sockets} subscribers`);
    const { sockets } = await listeners.connect(bench.api, [cell.cell], options.sockets);
    await sleep(2000);
    const withSockets = { rss: probe.rss(), heap: await probe.settledHeap() };
    const per = (a: number | undefined, b: number | undefined, n: number) =>
      a === undefined || b === undefined ? null : round((b - a) / Math.max(1, n), 0);
    const result: CostResult = {
      drivers: options.drivers,
      driversHeld: withDrivers.drivers - before.drivers,
      sockets,
      heapBytesPerDriver: per(before.heap, withDrivers.heap, options.drivers),
      rssBytesPerDriver: per(before.rss, withDrivers.rss, options.drivers) ?? 0,
      heapBytesPerSocket: per(withDrivers.heap, withSockets.heap, sockets),
      rssBytesPerSocket: per(withDrivers.rss, withSockets.rss, sockets) ?? 0,
      apiHeapWithDriversMiB: withDrivers.heap === undefined ? null : round(mib(withDrivers.heap)),
      rssMiB: {
        start: round(mib(before.rss)),
        withDrivers: round(mib(withDrivers.rss)),
        withSockets: round(mib(withSockets.rss)),
      },
    };
    log(
      `memory: per driver ${result.heapBytesPerDriver ?? "?"} B heap, ${result.rssBytesPerDriver} B RSS; per socket ${result.heapBytesPerSocket ?? "?"} B heap, ${result.rssBytesPerSocket} B RSS; API heap with ${result.driversHeld} drivers ${result.apiHeapWithDriversMiB ?? "?"} MiB`,
    );
    return result;
  } finally {
    await listeners.close();
    await bench.dispose();
  }
}

/** RSS split by owner (see `Owners`), or null when an isolate did not answer. */
function ownersOf(rss: number, usage: ReadonlyMap<string, HeapUsage | undefined>): Owners | null {
  if (!usage.has(API_ISOLATE)) return null;
  let zone = 0;
  let platform = 0;
  let emulator = 0;
  for (const [id, h] of usage) {
    if (!h) return null;
    const held = h.total + h.backing;
    if (id === API_ISOLATE) zone += held;
    else if (isPlatformIsolate(id)) platform += held;
    else emulator += held;
  }
  return {
    zone: round(mib(zone)),
    platform: round(mib(platform)),
    emulator: round(mib(emulator)),
    native: round(mib(rss - zone - platform - emulator)),
  };
}

/** RSS by owner, as the report prints it. */
export function ownersText(o: Owners): string {
  return `zone ${o.zone}, platform ${o.platform}, emulator ${o.emulator}, native ${o.native} MiB`;
}

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

async function soak(options: MemoryOptions, failures: Failures): Promise<SoakResult> {
  const { bench, port } = await startInspected("memory: soak");
  const sockets: WebSocket[] = [];
  try {
    const [zone] = zonesOf(await putBenchMarket(bench.platform, SOAK_SURGE));
    if (!zone) throw new Error("the market has no cells");
    const probe = new Probe(bench, port, new Set(zone.map((c) => c.cell)), failures);
    const source = new EventSource(zone);
    for (const c of zone.slice(0, SOAK_CELLS))
      for (let i = 0; i < SOAK_SOCKETS_PER_CELL; i++) sockets.push(await subscribe(bench.api, [c.cell], () => {}));
    const driversPerTick = Math.round((options.driversPerSec * TICK_MS) / 1000);
    const demandPerTick = Math.round(driversPerTick / 4);
    const samples: MemorySample[] = [];
    const started = performance.now();
    const sample = async () => {
      const rss = probe.rss();
      const [usage, drivers, pending] = await Promise.all([probe.isolates(), probe.drivers(), probe.pending()]);
      const api = usage?.get(API_ISOLATE);
      const history = usage?.get(HISTORY_ISOLATE);
      samples.push({
        t: round((performance.now() - started) / 1000),
        rssMiB: round(mib(rss)),
        apiHeapMiB: api ? round(mib(api.used)) : null,
        historyHeapMiB: history ? round(mib(history.used)) : null,
        heapsTotalMiB: api && history ? round(mib(api.total + history.total)) : null,
        drivers,
        storageMiB: round(mib(directoryBytes(bench.persistDir)), 2),
        outboxPending: pending,
        owners: usage ? ownersOf(rss, usage) : null,
      });
    };
    await sample();
    log(
      `memory: soak of zone ${zone[0]?.zone} (${zone.length} cells, ${sockets.length} subscribers): ${options.driversPerSec} new drivers/s for ${options.seconds}s`,
    );

    let driversSent = 0;
    let demandSent = 0;
    let nextSample = started + options.sampleEverySeconds * 1000;
    const deadline = started + options.seconds * 1000;
    for (let tick = 0; performance.now() < deadline; tick++) {
      await sleep(Math.max(0, started + tick * TICK_MS - performance.now()));
      const [supply, demand] = await Promise.all([
        sendBatch(bench.api, "supply", source.supply(driversPerTick, Date.now(), 1)),
        sendBatch(bench.api, "demand", source.demand(demandPerTick)),
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
    const between = (from: number, to: number) => samples.filter((s) => s.t >= from * seconds && s.t <= to * seconds);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const maxOf = (xs: number[]) => Math.max(...xs);
    const rss = samples.map((s) => s.rssMiB);
    const heaps = (part: MemorySample[]) => part.flatMap((s) => (s.apiHeapMiB === null ? [] : [s.apiHeapMiB]));
    const middle = between(1 / 3, 2 / 3);
    const last = between(2 / 3, 1);
    const zoneHeld = (part: MemorySample[]) => part.flatMap((s) => (s.owners ? [s.owners.zone] : []));
    const firstOwners = samples.find((s) => s.owners)?.owners;
    const lastOwners = samples.findLast((s) => s.owners)?.owners;
    const drivers = samples.map((s) => s.drivers);
    const storage = samples.map((s) => s.storageMiB);
    const result: SoakResult = {
      seconds,
      zoneCells: zone.length,
      supplyWindowSeconds: SOAK_SURGE.supplyWindowSeconds,
      driversSent,
      demandSent,
      subscribers: sockets.length,
      driversPerSec: driversSent / seconds,
      rssMiB: {
        first: rss[0] ?? 0,
        last: rss[rss.length - 1] ?? 0,
        max: maxOf(rss),
        meanMiddle: round(mean(middle.map((s) => s.rssMiB))),
        meanLast: round(mean(last.map((s) => s.rssMiB))),
      },
      rssSlopeLastHalfMiBPerMin: round(slope(between(1 / 2, 1).map((s) => [s.t / 60, s.rssMiB] as const)), 2),
      apiHeapMiB:
        heaps(middle).length > 0 && heaps(last).length > 0
          ? {
              maxMiddle: maxOf(heaps(middle)),
              maxLast: maxOf(heaps(last)),
              minMiddle: Math.min(...heaps(middle)),
              minLast: Math.min(...heaps(last)),
            }
          : null,
      zoneMiB:
        zoneHeld(middle).length > 0 && zoneHeld(last).length > 0
          ? {
              meanMiddle: round(mean(zoneHeld(middle))),
              meanLast: round(mean(zoneHeld(last))),
              max: maxOf(zoneHeld(samples)),
            }
          : null,
      owners: firstOwners && lastOwners ? { first: firstOwners, last: lastOwners } : null,
      drivers: {
        last: drivers[drivers.length - 1] ?? 0,
        max: maxOf(drivers),
        expectedSteady: options.driversPerSec * SOAK_SURGE.supplyWindowSeconds,
      },
      storageMiB: { first: storage[0] ?? 0, last: storage[storage.length - 1] ?? 0, max: maxOf(storage) },
      outboxPendingLast: samples[samples.length - 1]?.outboxPending ?? null,
      samples,
    };
    log(
      `memory: soak RSS ${result.rssMiB.first} → ${result.rssMiB.last} MiB (means ${result.rssMiB.meanMiddle} / ${result.rssMiB.meanLast}, slope ${result.rssSlopeLastHalfMiBPerMin} MiB/min), API heap peaks ${result.apiHeapMiB?.maxMiddle ?? "?"} / ${result.apiHeapMiB?.maxLast ?? "?"} MiB, drivers max ${result.drivers.max}`,
    );
    if (result.owners)
      log(`memory: RSS by owner, first → last: ${ownersText(result.owners.first)} → ${ownersText(result.owners.last)}`);
    return result;
  } finally {
    await closeAll(sockets);
    await bench.dispose();
  }
}

export async function measureMemory(options: MemoryOptions): Promise<MemoryResult> {
  const failures = new Failures();
  const cost = await measureCost(options, failures);
  const soaked = await soak(options, failures);
  // One window of drivers, plus what arrives before the next sweep of expired ones (a tick).
  const driversBounded = soaked.drivers.max <= soaked.drivers.expectedSteady * 1.2;
  const rssLevelled = soaked.rssMiB.meanLast <= soaked.rssMiB.meanMiddle * 1.05;
  const heapLevelled = soaked.apiHeapMiB ? soaked.apiHeapMiB.maxLast <= soaked.apiHeapMiB.maxMiddle * 1.1 : null;
  const zoneLevelled =
    soaked.zoneMiB && soaked.apiHeapMiB
      ? soaked.zoneMiB.meanLast <= soaked.zoneMiB.meanMiddle * 1.05 &&
        soaked.apiHeapMiB.minLast <= soaked.apiHeapMiB.minMiddle * 1.1
      : null;
  return {
    cost,
    soak: soaked,
    driversBounded,
    rssLevelled,
    heapLevelled,
    zoneLevelled,
    bounded: driversBounded && rssLevelled && heapLevelled !== false,
    failedBatches: failures.count,
    failures: failures.samples,
  };
}
