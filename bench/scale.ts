/**
 * Scale in simulation: `bun bench/scale.ts [--smoke]` (`npm run bench:scale`), a few minutes.
 *
 * One market of 500 zones (zone objects of 7 cells each) gets a city's skewed load — batched
 * supply and demand and quotes spread over the zones by a Zipf law (s = 1: the busiest zone has
 * ~15% of it, the median zone ~0.06%) — and then a stadium: one zone receives several times an
 * object's soft limit (~1,000 requests/s), first as one request per event (rider apps posting
 * alone), then as the same events in batches (what a partner's back end, or an edge that groups
 * per zone, sends). Every stream is driven at a constant rate (open model, `fixed-rate.ts`), so
 * queueing shows as latency from each request's scheduled time, and what cannot be answered in
 * time as unfinished requests.
 *
 * On this machine one workerd thread runs the edge and every object, so the stadium saturates
 * the runtime as a whole (and so slows the city's quotes) before any single object's limit; in
 * production each object is served on its own, and only the stadium's zone queues. Either way
 * the answer is the same, and the third phase measures it: the zone object must see a request
 * per batch, not per event. The README's "Capacity" section puts these figures to the scale of
 * 100 cities.
 */
import { cellToLatLng } from "h3-js";
import { demoMarket, putMarket } from "../harness/fixtures";
import { Region } from "../shared/pricing/geofence";
import { geofenceCells, zoneOf } from "../shared/pricing/zoning";
import { type FixedRateResult, fixedRate } from "./fixed-rate";
import { buildBenchBundles, type Cell, MARKET_ID, startBenchPlatform } from "./platform";
import { withCpu } from "./proc";
import { fmt, log, type Row, table } from "./report";
import { random, round, sleep } from "./stats";

const smoke = process.argv.includes("--smoke");

/**
 * The city's load is what this machine carries beside everything else it runs: a zone call
 * costs about a millisecond of the runtime here (its storage turn, its outbox's sends and
 * confirmations), so a batch spread over 40 zones costs 40 of them. The stadium sends three
 * times an object's soft limit in events.
 */
const config = smoke
  ? {
      zones: 100,
      phaseSeconds: 5,
      cityEventsPerSec: 200,
      cityBatch: 50,
      cityQuotesPerSec: 20,
      stadiumEventsPerSec: 1500,
      stadiumBatch: 100,
    }
  : {
      zones: 500,
      phaseSeconds: 20,
      cityEventsPerSec: 300,
      cityBatch: 50,
      cityQuotesPerSec: 25,
      stadiumEventsPerSec: 3000,
      stadiumBatch: 100,
    };

/** An object's soft limit in production: about this many requests a second. */
const SOFT_LIMIT_RPS = 1000;
/** Zipf exponent of the zones' popularity. */
const ZIPF_S = 1;
/** The stadium's zone is this far down the popularity ranking (an ordinary zone until the match ends). */
const STADIUM_RANK = Math.floor(config.zones / 5);
/** Resolution of pricing cells and of zones (one level up: 7 cells a zone). */
const RESOLUTION = 8;
const ZONE_RESOLUTION = 7;
const CONNECTIONS = { city: 50, stadium: 256 };

/** A box of about 57 × 57 km at 500 zones: room for them whole (7 cells each) and a margin of partial ones. */
function box(zones: number): { type: "Polygon"; coordinates: number[][][] } {
  const side = Math.sqrt(zones / 500) * 1.15;
  const [lat, lng, dLat, dLng] = [40.7, -73.95, 0.225 * side, 0.3 * side];
  return {
    type: "Polygon",
    coordinates: [
      [
        [lng - dLng, lat - dLat],
        [lng + dLng, lat - dLat],
        [lng + dLng, lat + dLat],
        [lng - dLng, lat + dLat],
        [lng - dLng, lat - dLat],
      ],
    ],
  };
}

/** Whole zones of the box (all 7 cells inside), `count` of them, each with its cells. */
function pickZones(geofence: ReturnType<typeof box>, count: number): Cell[][] {
  const region = new Region(geofence);
  const byZone = new Map<string, Cell[]>();
  for (const cell of geofenceCells(geofence, RESOLUTION)) {
    const [lat, lng] = cellToLatLng(cell);
    if (!region.contains(lat, lng)) continue;
    const zone = zoneOf(cell, ZONE_RESOLUTION);
    byZone.set(zone, [...(byZone.get(zone) ?? []), { cell, zone, lat, lng }]);
  }
  const whole = [...byZone.values()].filter((cells) => cells.length === 7);
  if (whole.length < count) throw new Error(`the box holds ${whole.length} whole zones, ${count} wanted`);
  // Popularity is unrelated to position: a seeded shuffle ranks them.
  const rnd = random(500);
  return whole
    .map((cells) => ({ cells, key: rnd() }))
    .sort((a, b) => a.key - b.key)
    .slice(0, count)
    .map((z) => z.cells);
}

/** Draws zone ranks (0 = busiest) with probability ∝ 1 / (rank + 1)^s. */
export function zipf(n: number, s: number, seed: number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 1; k <= n; k++) {
    total += 1 / k ** s;
    cumulative.push(total);
  }
  const rnd = random(seed);
  return () => {
    const x = rnd() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const run = Date.now().toString(36);
let seq = 0;

function supplyEvent(c: Cell, at: number): string {
  const id = `${run}-${seq++}`;
  return `{"eventId":"s-${id}","driverId":"drv-${id}","lat":${c.lat},"lng":${c.lng},"status":"available","at":${at}}`;
}

function demandEvent(c: Cell, at: number): string {
  const id = `${run}-${seq++}`;
  return `{"eventId":"d-${id}","riderId":"rdr-${id}","lat":${c.lat},"lng":${c.lng},"kind":"request","at":${at}}`;
}

/** Batches of `size` new drivers or riders in cells drawn by `pick`, stamped as if sent at `start + i / perSec`. */
function batches(
  count: number,
  size: number,
  pick: () => Cell,
  kind: "supply" | "demand",
  start: number,
  perSec: number,
): string[] {
  const event = kind === "supply" ? supplyEvent : demandEvent;
  return Array.from({ length: count }, (_, b) => {
    const at = Math.round(start + (b * 1000) / perSec);
    return `{"events":[${Array.from({ length: size }, () => event(pick(), at)).join(",")}]}`;
  });
}

interface Stream {
  name: string;
  /** Requests a second and events per request. */
  rate: number;
  eventsPerRequest: number;
  result: FixedRateResult;
}

/** A stream to drive: what to send, how often, over how many connections (the city's by default). */
interface StreamSpec {
  name: string;
  rate: number;
  eventsPerRequest: number;
  spec: { url: string; bodies: string[] };
  connections?: number;
}

interface Phase {
  name: string;
  streams: Stream[];
  workerdCores: number;
}

export async function measureScale(): Promise<{ phases: Phase[]; zones: number; stadiumShare: number }> {
  const bench = await startBenchPlatform("scale");
  try {
    const geofence = box(config.zones);
    const zones = pickZones(geofence, config.zones);
    const base = demoMarket("nyc-manhattan");
    await putMarket(bench.platform, MARKET_ID, {
      ...base,
      geofence,
      resolution: RESOLUTION,
      zoneResolution: ZONE_RESOLUTION,
      surge: { ...(base.surge as Record<string, unknown>), supplyWindowSeconds: 600 },
    });
    const rank = zipf(zones.length, ZIPF_S, 7);
    const rnd = random(8);
    const cellOf = (z: Cell[]) => z[Math.floor(rnd() * z.length)] as Cell;
    const cityCell = () => cellOf(zones[rank()] as Cell[]);
    const stadium = zones[STADIUM_RANK] as Cell[];
    const harmonic = zones.reduce((sum, _, k) => sum + 1 / (k + 1) ** ZIPF_S, 0);

    // Every zone object exists and has drivers before the clock starts (5 per zone).
    log(`scale: ${zones.length} zones; seeding 5 drivers in each`);
    const seedCells = zones.flatMap((z) => Array.from({ length: 5 }, () => cellOf(z)));
    for (let i = 0; i < seedCells.length; i += 1000) {
      const events = seedCells.slice(i, i + 1000).map((c) => supplyEvent(c, Date.now()));
      const res = await bench.partner.fetch("/v1/events/supply", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"events":[${events.join(",")}]}`,
      });
      if (res.status !== 202) throw new Error(`seeding answered ${res.status}: ${await res.text()}`);
    }

    const seconds = config.phaseSeconds;
    const url = (kind: string) => `${bench.api.url}/v1/events/${kind}`;
    const headers = bench.api.headers;
    // A city's partners send batches across the city: two thirds supply, one third demand.
    const cityRequests = config.cityEventsPerSec / config.cityBatch;
    const citySupply = (cityRequests * 2) / 3;
    const cityDemand = cityRequests / 3;
    const cityStreams = (start: number) => [
      {
        name: "city: supply batches",
        rate: citySupply,
        eventsPerRequest: config.cityBatch,
        spec: {
          url: url("supply"),
          bodies: batches(Math.ceil(citySupply * seconds), config.cityBatch, cityCell, "supply", start, citySupply),
        },
      },
      {
        name: "city: demand batches",
        rate: cityDemand,
        eventsPerRequest: config.cityBatch,
        spec: {
          url: url("demand"),
          bodies: batches(Math.ceil(cityDemand * seconds), config.cityBatch, cityCell, "demand", start, cityDemand),
        },
      },
      {
        name: "city: quotes",
        rate: config.cityQuotesPerSec,
        eventsPerRequest: 0,
        spec: {
          url: `${bench.api.url}/v1/quotes`,
          bodies: Array.from({ length: 256 }, () => {
            const [p, d] = [cityCell(), cityCell()];
            return JSON.stringify({
              pickup: { lat: p.lat, lng: p.lng },
              dropoff: { lat: d.lat, lng: d.lng },
              product: "standard",
            });
          }),
        },
      },
    ];

    const phases: Phase[] = [];
    const admin = bench.platform.as("admin");
    // Each phase starts with history caught up (what one leaves behind is not the next one's load).
    const drained = async () => {
      const until = performance.now() + 60_000;
      while (performance.now() < until) {
        const res = await admin.fetch("/v1/system/backlog");
        if (res.status === 200 && ((await res.json()) as { pending: number }).pending === 0) break;
        await sleep(1000);
      }
      await sleep(1000);
    };
    const runPhase = async (name: string, extra: StreamSpec[]) => {
      const start = Date.now() + 500;
      const streams: StreamSpec[] = [...cityStreams(start), ...extra];
      log(`scale: ${name}: ${streams.map((s) => `${s.name} ${fmt(s.rate)}/s`).join("; ")}`);
      const { result, cpu } = await withCpu(bench.pid, () =>
        Promise.all(
          streams.map((s) =>
            fixedRate({
              ...s.spec,
              headers,
              rate: s.rate,
              seconds,
              connections: s.connections ?? CONNECTIONS.city,
            }),
          ),
        ),
      );
      phases.push({
        name,
        streams: streams.map((s, i) => ({
          name: s.name,
          rate: s.rate,
          eventsPerRequest: s.eventsPerRequest,
          result: result[i] as FixedRateResult,
        })),
        workerdCores: cpu.workerd,
      });
      await drained();
    };

    await runPhase("city", []);
    const stadiumCell = () => cellOf(stadium);
    const perEvent = config.stadiumEventsPerSec;
    const batched = perEvent / config.stadiumBatch;
    // Batched first: the run of one request per event leaves the runtime a long queue behind it.
    await runPhase(`stadium: ${fmt(perEvent)} events/s in batches of ${config.stadiumBatch}`, [
      {
        name: `stadium: batches of ${config.stadiumBatch}`,
        rate: batched,
        eventsPerRequest: config.stadiumBatch,
        spec: {
          url: url("demand"),
          bodies: batches(Math.ceil(batched * seconds), config.stadiumBatch, stadiumCell, "demand", Date.now(), batched),
        },
      },
    ]);
    await runPhase(`stadium: ${fmt(perEvent)} events/s, one request each`, [
      {
        name: "stadium: one event per request",
        rate: perEvent,
        eventsPerRequest: 1,
        connections: CONNECTIONS.stadium,
        spec: {
          url: url("demand"),
          bodies: batches(Math.ceil(perEvent * seconds), 1, stadiumCell, "demand", Date.now(), perEvent),
        },
      },
    ]);
    return { phases, zones: zones.length, stadiumShare: 1 / (STADIUM_RANK + 1) ** ZIPF_S / harmonic };
  } finally {
    await bench.dispose();
  }
}

function rows(phases: readonly Phase[]): Row[] {
  const out: Row[] = [];
  for (const phase of phases) {
    out.push({ figure: `— ${phase.name}`, value: "", note: `workerd ${phase.workerdCores.toFixed(2)} cores` });
    for (const s of phase.streams) {
      const r = s.result;
      const answered = r.completed - r.statusErrors;
      const events = s.eventsPerRequest > 0 ? `, ${fmt((answered * s.eventsPerRequest) / r.seconds)} events/s` : "";
      out.push({
        figure: `  ${s.name}`,
        value: `${fmt(r.achievedRps)} of ${fmt(s.rate)}/s`,
        note: `p50 ${r.latencyMs.p50.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms, max ${r.latencyMs.max.toFixed(0)} ms${events}; ${r.statusErrors} error answers${r.firstError ? ` (${r.firstError.slice(0, 60)})` : ""}, ${r.unfinished} unanswered`,
      });
    }
  }
  return out;
}

if (import.meta.main) {
  buildBenchBundles();
  const started = performance.now();
  const result = await measureScale();
  await Bun.write(Bun.stdout, `\n${table(rows(result.phases))}\n`);
  const summary = {
    zones: result.zones,
    stadiumRank: STADIUM_RANK,
    stadiumShareOfCity: round(result.stadiumShare, 5),
    softLimitRps: SOFT_LIMIT_RPS,
    config,
    seconds: round((performance.now() - started) / 1000),
    phases: result.phases.map((p) => ({
      name: p.name,
      workerdCores: round(p.workerdCores, 2),
      streams: p.streams.map((s) => ({
        name: s.name,
        rate: s.rate,
        eventsPerRequest: s.eventsPerRequest,
        answeredPerSec: round(s.result.achievedRps),
        p50Ms: round(s.result.latencyMs.p50),
        p99Ms: round(s.result.latencyMs.p99),
        maxMs: round(s.result.latencyMs.max),
        errors: s.result.statusErrors,
        unfinished: s.result.unfinished,
        firstError: s.result.firstError ?? null,
      })),
    })),
  };
  await Bun.write(Bun.stdout, `\n${JSON.stringify(summary)}\n`);
  process.exit(0);
}
