import { type Api, type Cell, putBenchMarket, startBenchPlatform } from "./platform";
import { type CpuShares, withCpu } from "./proc";
import { log } from "./report";
import { p50p99, random } from "./stats";

/**
 * Ingest: batches of 500–1000 unique supply or demand events (alternating), each event at a
 * random cell of the market, POSTed by a few concurrent keep-alive clients for a fixed time.
 * Throughput counts the events the responses say were accepted.
 */

export interface IngestResult {
  seconds: number;
  batches: number;
  sent: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Batches answered with anything but 202 (warm-up included), and the first few errors. */
  failedBatches: number;
  failures: string[];
  eventsPerSec: number;
  batchLatencyMs: { p50: number; p99: number };
  cpu: CpuShares;
  concurrency: number;
}

interface IngestCounts {
  accepted: number;
  duplicate: number;
  rejected: number;
}

/** Builds batch bodies with string templates: cheap enough to do while loading (a few µs per event). */
export class EventSource {
  #seq = 0;
  readonly #rnd = random(7);
  readonly #run = Date.now().toString(36);

  constructor(private readonly cells: readonly Cell[]) {}

  #cell(): Cell {
    return this.cells[Math.floor(this.#rnd() * this.cells.length)] as Cell;
  }

  /** `n` never-seen drivers; `availableShare` of them available, the rest busy. */
  supply(n: number, at = Date.now(), availableShare = 0.8): string {
    const events: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `${this.#run}-${this.#seq++}`;
      const c = this.#cell();
      const status = this.#rnd() < availableShare ? "available" : "busy";
      events.push(`{"eventId":"s-${id}","driverId":"drv-${id}","lat":${c.lat},"lng":${c.lng},"status":"${status}","at":${at}}`);
    }
    return `{"events":[${events.join(",")}]}`;
  }

  /** `n` searches and ride requests of never-seen riders. */
  demand(n: number, at = Date.now()): string {
    const events: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `${this.#run}-${this.#seq++}`;
      const c = this.#cell();
      const kind = this.#rnd() < 0.7 ? "search" : "request";
      events.push(`{"eventId":"d-${id}","riderId":"rdr-${id}","lat":${c.lat},"lng":${c.lng},"kind":"${kind}","at":${at}}`);
    }
    return `{"events":[${events.join(",")}]}`;
  }
}

export interface BatchOutcome extends IngestCounts {
  status: number;
  /** Set unless the batch was answered 202. */
  error?: string;
}

/** POSTs one batch and reports what happened (network failures throw). */
export async function sendBatch(api: Api, kind: "supply" | "demand", body: string): Promise<BatchOutcome> {
  const headers = { ...api.headers, "content-type": "application/json" };
  const res = await fetch(`${api.url}/v1/events/${kind}`, { method: "POST", headers, body });
  const text = await res.text();
  if (res.status !== 202) {
    const error = `POST /v1/events/${kind}: HTTP ${res.status} ${text.replace(/\s+/g, " ").slice(0, 240)}`;
    return { status: res.status, accepted: 0, duplicate: 0, rejected: 0, error };
  }
  return { status: res.status, ...(JSON.parse(text) as IngestCounts) };
}

/** POSTs one batch; throws on anything but 202. */
export async function postBatch(api: Api, kind: "supply" | "demand", body: string): Promise<IngestCounts> {
  const outcome = await sendBatch(api, kind, body);
  if (outcome.error) throw new Error(outcome.error);
  return outcome;
}

/** Failed batches of a run: how many, and the first few distinct errors. */
export class Failures {
  count = 0;
  readonly samples: string[] = [];

  add(error: string): void {
    this.count += 1;
    if (this.samples.length < 3 && !this.samples.includes(error)) this.samples.push(error);
  }
}

async function load(api: Api, source: EventSource, seconds: number, concurrency: number) {
  const sizes = random(99);
  const totals = { batches: 0, sent: 0, accepted: 0, duplicate: 0, rejected: 0 };
  const latencies: number[] = [];
  const failures = new Failures();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const n = 500 + Math.floor(sizes() * 501);
      const kind = totals.batches % 2 === 0 ? "supply" : "demand";
      totals.batches += 1;
      const body = kind === "supply" ? source.supply(n) : source.demand(n);
      const sent = performance.now();
      const r = await sendBatch(api, kind, body);
      latencies.push(performance.now() - sent);
      if (r.error) failures.add(r.error);
      totals.sent += n;
      totals.accepted += r.accepted;
      totals.duplicate += r.duplicate;
      totals.rejected += r.rejected;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { ...totals, seconds: (performance.now() - started) / 1000, latencies, failures };
}

export async function measureIngest(options: {
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
}): Promise<IngestResult> {
  const bench = await startBenchPlatform("ingest");
  try {
    const cells = await putBenchMarket(bench.platform);
    const source = new EventSource(cells);
    log(`ingest: ${cells.length} cells, ${options.concurrency} concurrent clients, warm-up ${options.warmupSeconds}s`);
    const warmup = await load(bench.api, source, options.warmupSeconds, options.concurrency);
    const { result: r, cpu } = await withCpu(bench.pid, () => load(bench.api, source, options.seconds, options.concurrency));
    const eventsPerSec = r.accepted / r.seconds;
    log(`ingest: ${Math.round(eventsPerSec)} accepted events/s (${r.batches} batches, ${r.failures.count} failed)`);
    return {
      seconds: r.seconds,
      batches: r.batches,
      sent: r.sent,
      accepted: r.accepted,
      duplicate: r.duplicate,
      rejected: r.rejected,
      failedBatches: r.failures.count + warmup.failures.count,
      failures: [...new Set([...warmup.failures.samples, ...r.failures.samples])],
      eventsPerSec,
      batchLatencyMs: p50p99(r.latencies),
      cpu,
      concurrency: options.concurrency,
    };
  } finally {
    await bench.dispose();
  }
}
