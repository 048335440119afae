import type { PostgresTarget } from "../scripts/postgres";
import { EventSource, Failures, sendBatch } from "./ingest";
import { type BenchPlatform, putBenchMarket, startBenchPlatform } from "./platform";
import { log } from "./report";
import { round, sleep } from "./stats";

/**
 * Does history keep up? Ingest at a fixed rate for minutes while the history writer turns
 * accepted events into Postgres rows (zone outbox → history queue → writer → Postgres), sampled
 * every few seconds; then the load stops and the backlog must drain.
 *
 * - **Rate**: `eventsPerSec`, or `share` of the maximum this instance accepts (measured first
 *   with a short burst, then drained). Batches of 500 events, sent on schedule (open model: a
 *   slow answer does not slow the schedule), at most `inFlight` at a time.
 * - **Samples**: accepted events (the answers' counts), rows in `events`, their difference (the
 *   backlog in events) and the outboxes' own count of rows not yet confirmed
 *   (`GET /v1/system/backlog`).
 * - **Sustained ratio**: the rate at which rows reach Postgres ÷ the rate at which events are
 *   accepted, each the least-squares slope of its samples after the first (the pipeline's
 *   start-up), so one batch more or less in flight at a sampling instant barely moves it.
 * - **Drain**: seconds from the last answer of the load until every accepted event is a row.
 *
 * Locally the history writer runs on workerd's one thread beside ingest (in production it is a
 * Worker of its own, 10 batches at once), so the rate must leave that thread room. A fresh
 * instance's burst overstates what ingest sustains: its cost per event grows in a long run
 * (2026-12: 23,000–23,500 events/s, 0.4–0.5 of the burst, saturated the thread after one to
 * one and a half minutes, and ingest itself fell behind its schedule; 11,700–17,700 events/s
 * kept up for five minutes). The default share is 0.3.
 */

export interface HistorySample {
  /** Seconds since the load started. */
  at: number;
  accepted: number;
  rows: number;
  /** Accepted events not yet rows. */
  backlog: number;
  /** Outbox rows (messages) not yet confirmed, from `GET /v1/system/backlog`. */
  outboxPending: number | null;
  acceptedPerSec: number;
  rowsPerSec: number;
}

export interface HistoryResult {
  seconds: number;
  targetEventsPerSec: number;
  /** The burst rate the target was a share of (when measured here). */
  maxEventsPerSec: number | null;
  acceptedEventsPerSec: number;
  rowsPerSec: number;
  /**
   * rowsPerSec ÷ acceptedEventsPerSec over the sustained run, to two decimals: 1.00 keeps up. A
   * run that keeps up measures 1 ± a few thousandths (the backlog at the two ends of the run is
   * one batch more or less, and the machine's other load moves it), so thousandths would only
   * tell noise.
   */
  sustainedRatio: number;
  /** The same, unrounded. */
  sustainedRatioMeasured: number;
  /** Accepted events not yet rows when the load stopped. */
  backlogAtStop: number;
  /** Seconds from the load's end until every accepted event was a row; null if not within `drainLimitSeconds`. */
  backlogAfterStopSeconds: number | null;
  accepted: number;
  rejected: number;
  failedBatches: number;
  failures: string[];
  samples: HistorySample[];
}

export interface HistoryOptions {
  seconds: number;
  sampleEverySeconds: number;
  /** A fixed rate; otherwise `share` of a burst measured here. */
  eventsPerSec?: number;
  share?: number;
  burstSeconds?: number;
  inFlight?: number;
  drainLimitSeconds?: number;
}

const BATCH = 500;

export async function measureHistory(options: HistoryOptions): Promise<HistoryResult> {
  const bench = await startBenchPlatform("history");
  try {
    const cells = await putBenchMarket(bench.platform);
    const source = new EventSource(cells);
    const db = bench.platform.database;
    const rows = () => countEvents(db.target, db.name);
    const admin = bench.platform.as("admin");
    const pending = async () => {
      const res = await admin.fetch("/v1/system/backlog");
      return res.status === 200 ? ((await res.json()) as { pending: number }).pending : null;
    };
    const inFlight = options.inFlight ?? 8;
    const drainLimit = options.drainLimitSeconds ?? 300;

    let maxEventsPerSec: number | null = null;
    let rate = options.eventsPerSec;
    if (rate === undefined) {
      const burst = await load(bench, source, {
        seconds: options.burstSeconds ?? 5,
        eventsPerSec: Number.POSITIVE_INFINITY,
        inFlight: 4,
      });
      maxEventsPerSec = burst.accepted / burst.seconds;
      rate = maxEventsPerSec * (options.share ?? 0.3);
      log(`history: burst accepted ${Math.round(maxEventsPerSec)} events/s; waiting for its rows`);
      const drained = await drain(rows, burst.accepted, drainLimit);
      if (drained === null) throw new Error("the burst's history did not drain");
    }
    const base = await rows();
    log(`history: ${Math.round(rate)} events/s for ${options.seconds} s, sampled every ${options.sampleEverySeconds} s`);

    const samples: HistorySample[] = [];
    const started = performance.now();
    let accepted = 0;
    const sampler = (async () => {
      let last = { at: 0, accepted: 0, rows: 0 };
      for (let k = 1; k * options.sampleEverySeconds <= options.seconds; k++) {
        await sleep(started + k * options.sampleEverySeconds * 1000 - performance.now());
        const at = (performance.now() - started) / 1000;
        const now = { at, accepted, rows: (await rows()) - base };
        const sample: HistorySample = {
          ...now,
          backlog: now.accepted - now.rows,
          outboxPending: await pending(),
          acceptedPerSec: (now.accepted - last.accepted) / (now.at - last.at),
          rowsPerSec: (now.rows - last.rows) / (now.at - last.at),
        };
        samples.push(sample);
        log(
          `history: ${at.toFixed(0).padStart(4)} s  accepted ${Math.round(sample.acceptedPerSec)}/s  rows ${Math.round(sample.rowsPerSec)}/s  backlog ${sample.backlog} events, ${sample.outboxPending ?? "?"} outbox rows`,
        );
        last = now;
      }
    })();
    const run = await load(bench, source, { seconds: options.seconds, eventsPerSec: rate, inFlight }, (n) => {
      accepted += n;
    });
    const stoppedAt = performance.now();
    const atStop = (await rows()) - base;
    await sampler;
    log(`history: load stopped with ${run.accepted - atStop} events not yet rows; draining`);
    const drained = await drain(async () => (await rows()) - base, run.accepted, drainLimit);

    const steady = samples.slice(1);
    const rowsPerSec = slope(steady.map((s) => [s.at, s.rows]));
    const acceptedPerSec = slope(steady.map((s) => [s.at, s.accepted]));
    const result: HistoryResult = {
      seconds: run.seconds,
      targetEventsPerSec: rate,
      maxEventsPerSec,
      acceptedEventsPerSec: acceptedPerSec,
      rowsPerSec,
      sustainedRatio: round(rowsPerSec / acceptedPerSec, 2),
      sustainedRatioMeasured: rowsPerSec / acceptedPerSec,
      backlogAtStop: run.accepted - atStop,
      backlogAfterStopSeconds: drained === null ? null : (drained - stoppedAt) / 1000,
      accepted: run.accepted,
      rejected: run.rejected,
      failedBatches: run.failures.count,
      failures: run.failures.samples,
      samples,
    };
    log(
      `history: ${Math.round(rowsPerSec)} rows/s for ${Math.round(acceptedPerSec)} accepted events/s (ratio ${result.sustainedRatioMeasured.toFixed(3)}); backlog 0 ${result.backlogAfterStopSeconds === null ? "never" : `${result.backlogAfterStopSeconds.toFixed(1)} s`} after the load`,
    );
    return result;
  } finally {
    await bench.dispose();
  }
}

/** Ingest at `eventsPerSec` (Infinity: as fast as `inFlight` clients go) for `seconds`. */
async function load(
  bench: BenchPlatform,
  source: EventSource,
  spec: { seconds: number; eventsPerSec: number; inFlight: number },
  onAccepted: (n: number) => void = () => undefined,
) {
  const totals = { accepted: 0, rejected: 0 };
  const failures = new Failures();
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;
  const intervalMs = (BATCH / spec.eventsPerSec) * 1000;
  let next = 0;
  const client = async () => {
    for (;;) {
      // Batch i is due at start + i × interval, whatever happened to the ones before.
      const due = started + next * intervalMs;
      if (due >= deadline || performance.now() >= deadline) return;
      next += 1;
      if (due > performance.now()) await sleep(due - performance.now());
      const kind = next % 2 === 0 ? "supply" : "demand";
      const r = await sendBatch(bench.api, kind, kind === "supply" ? source.supply(BATCH) : source.demand(BATCH));
      if (r.error) failures.add(r.error);
      totals.accepted += r.accepted;
      totals.rejected += r.rejected;
      onAccepted(r.accepted);
    }
  };
  await Promise.all(Array.from({ length: spec.inFlight }, client));
  return { ...totals, failures, seconds: (performance.now() - started) / 1000 };
}

/**
 * Waits until `expected` rows are in Postgres; answers when (performance.now()), or null after
 * `limitSeconds`. Rows are counted, every half second: asking the outboxes instead would have
 * every zone read its whole outbox on the thread the writer needs.
 */
async function drain(rows: () => Promise<number>, expected: number, limitSeconds: number): Promise<number | null> {
  const deadline = performance.now() + limitSeconds * 1000;
  while (performance.now() < deadline) {
    const asked = performance.now();
    if ((await rows()) >= expected) return asked;
    await sleep(500);
  }
  return null;
}

/**
 * Rows in `events`, counted by psql in a process of its own: a count of millions of rows takes
 * a while, and this process also runs the database bridges the history writer goes through.
 */
export async function countEvents(target: PostgresTarget, database: string): Promise<number> {
  const proc = Bun.spawn(
    [
      "psql",
      "-h",
      target.host,
      "-p",
      String(target.port),
      "-U",
      target.user,
      "-d",
      database,
      "-qAtc",
      "select count(*) from events",
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`psql: ${err.trim()}`);
  return Number(out.trim());
}

/** The least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return num / den;
}

/** `bun bench/history.ts [--smoke] [--rate=<events/s> | --share=<0..1>]`: this measurement alone. */
if (import.meta.main) {
  const { buildBenchBundles } = await import("./platform");
  const args = process.argv.slice(2);
  const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const smoke = args.includes("--smoke");
  buildBenchBundles();
  const rate = value("rate");
  const result = await measureHistory({
    seconds: Number(value("seconds") ?? (smoke ? 30 : 300)),
    sampleEverySeconds: smoke ? 5 : 10,
    eventsPerSec: rate === undefined ? undefined : Number(rate),
    share: Number(value("share") ?? 0.3),
  });
  console.log(JSON.stringify({ ...result, samples: undefined }));
  process.exit(0);
}
