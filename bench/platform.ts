import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cellToLatLng } from "h3-js";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { buildWorkers } from "../harness/workers";
import { Region } from "../shared/pricing/geofence";
import { geofenceCells, zoneOf } from "../shared/pricing/zoning";
import { newWorkerdPid, workerdPids } from "./proc";
import { log } from "./report";
import { sleep } from "./stats";

/**
 * The platform as the tests run it (`harness/platform.ts`: the Workers' bundles in workerd
 * through Miniflare, with a fresh Postgres database and the local bridges), one fresh instance
 * per measurement so that none inherits another's state, plus what the benchmarks need to know
 * about it: how to call it, its workerd process and where its Durable Objects store data.
 * Traffic comes from a partner's back end (a service of the market: events, quotes, live
 * cells, the heatmap); what only operators may read (KPIs) is read as the market's operator.
 */

export const MARKET_ID = "nyc-manhattan";

/** Where the API is and the credentials to call it with, for the benchmark's own clients (wrk, fetch, WebSockets). */
export interface Api {
  url: string;
  /** The partner's access token (role service, in the demo market). */
  token: string;
  headers: Record<string, string>;
}

export interface BenchPlatform {
  platform: Platform;
  api: Api;
  /** The partner that `api` is, as a client of the platform. */
  partner: Client;
  /** The demo market's operator. */
  operator: Client;
  /** The workerd process serving it. */
  pid: number;
  /** Durable Object storage of this instance. */
  persistDir: string;
  dispose(): Promise<void>;
}

export interface Cell {
  cell: string;
  zone: string;
  lat: number;
  lng: number;
}

/**
 * Where the benchmark's bundles go: tests running at the same time rebuild `dist/test`, and a
 * start that read a half-written or newer bundle would measure something else or fail.
 */
const BUNDLES = resolve(import.meta.dir, "results/bundle");

/**
 * Builds the platform's bundles, as the tests do, into the benchmark's own folder. Call before
 * the first `startBenchPlatform()`; every instance of the run then starts from the same bundles.
 */
export function buildBenchBundles(): void {
  buildWorkers(BUNDLES);
}

/** Warnings and errors the Workers logged, by message, per measurement (filled as instances are disposed). */
export const platformLogs: Record<string, Record<string, number>> = {};

/** Counts the warnings and errors among structured log lines, by their message. */
function digest(logs: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of logs) {
    let entry: { level?: string; message?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    // The Workers log JSON lines of their own ({level, message, ...}) through console.error.
    let message = entry.message ?? "";
    let level = entry.level ?? "";
    try {
      const inner = JSON.parse(message) as { level?: string; message?: string; error?: string };
      level = inner.level ?? level;
      message = [inner.message, inner.error].filter(Boolean).join(": ") || message;
    } catch {
      // a plain message
    }
    if (level !== "warn" && level !== "error") continue;
    const key = `${level}: ${message.replace(/\s+/g, " ").slice(0, 160)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Where instances keep their Durable Objects' storage: in memory (/dev/shm) where the machine
 * has it, unless `EQUILIBRIUM_BENCH_STATE_DIR` says otherwise. Locally each object's SQLite
 * commits with an fsync that blocks workerd's one thread (about four per zone call, 0.3 ms at
 * p50 and 3.6 ms at p99 on this machine's disk: a batch over 100 zones took 216 ms on disk and
 * 82 ms in memory). Production's storage does not stop the object's thread to make a write
 * durable (the output gate holds its answers instead), so on disk the benchmark would measure
 * this machine's disk more than the code.
 */
function stateRoot(): string {
  return process.env.EQUILIBRIUM_BENCH_STATE_DIR ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());
}

/**
 * Starts a fresh instance for the measurement `label` (a failed start is retried: Postgres or a
 * port can be briefly busy when other test runs share the machine).
 */
export async function startBenchPlatform(label: string, attempts = 3): Promise<BenchPlatform> {
  const persistDir = mkdtempSync(join(stateRoot(), "equilibrium-bench-state-"));
  const before = workerdPids();
  let platform: Platform | undefined;
  for (let attempt = 1; !platform; attempt++) {
    try {
      platform = await startPlatform({ persistDir, bundles: BUNDLES });
    } catch (error) {
      if (attempt >= attempts) {
        rmSync(persistDir, { recursive: true, force: true });
        throw error;
      }
      log(`platform did not start (${String(error).split("\n")[0]}); retrying`);
      await sleep(2000);
    }
  }
  const token = await platform.token({ subject: "bench-partner", roles: ["service"], markets: [MARKET_ID], seconds: 3600 });
  return {
    platform,
    api: { url: platform.url, token, headers: { authorization: `Bearer ${token}` } },
    partner: platform.as(token),
    operator: platform.as("operator", { markets: [MARKET_ID] }),
    pid: newWorkerdPid(before),
    persistDir,
    async dispose() {
      const logs = digest(platform.logs);
      if (Object.keys(logs).length > 0) platformLogs[label] = logs;
      await platform.dispose();
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}

/** The demo market's body, with surge settings changed. */
function marketBody(surge: Record<string, unknown> = {}): Record<string, unknown> {
  const base = demoMarket(MARKET_ID);
  return demoMarket(MARKET_ID, { surge: { ...(base.surge as Record<string, unknown>), ...surge } });
}

/** The demo market's pricing cells with their zones and centres. */
export function marketCells(): Cell[] {
  const body = marketBody() as { geofence: Parameters<typeof geofenceCells>[0]; resolution: number; zoneResolution: number };
  const region = new Region(body.geofence);
  // Events go to cell centres: only cells whose centre the geofence holds (a border cell's may lie outside it).
  return geofenceCells(body.geofence, body.resolution)
    .map((cell) => {
      const [lat, lng] = cellToLatLng(cell);
      return { cell, zone: zoneOf(cell, body.zoneResolution), lat, lng };
    })
    .filter((c) => region.contains(c.lat, c.lng));
}

/** Creates the demo market, optionally with changed surge settings, and returns its cells. */
export async function putBenchMarket(platform: Platform, surge: Record<string, unknown> = {}): Promise<Cell[]> {
  await putMarket(platform, MARKET_ID, marketBody(surge));
  return marketCells();
}

/** Cells grouped by zone, largest zone first. */
export function zonesOf(cells: readonly Cell[]): Cell[][] {
  const byZone = new Map<string, Cell[]>();
  for (const c of cells) byZone.set(c.zone, [...(byZone.get(c.zone) ?? []), c]);
  return [...byZone.values()].sort((a, b) => b.length - a.length);
}

/** Throws unless a response is a success; benchmarks stop when the platform breaks. */
export async function expectOk(res: Response, what: string): Promise<Response> {
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}
