import { envelopeText, type HistoryMessage } from "../shared/contracts/history";
import { countEvents } from "./history";
import { HISTORY_ISOLATE, inspectedWorkerd } from "./inspector";
import { type BenchPlatform, buildBenchBundles, startBenchPlatform } from "./platform";
import { log, mib } from "./report";
import { sleep } from "./stats";

/**
 * The history writer's heap while it writes one full batch (in `npm run bench`, or alone:
 * `bun bench/history-batch.ts [--messages=100] [--events=540]`): that many messages of that many
 * events (540: ~100 KB, the outbox's largest message) go on the history queue at once, so the
 * writer gets them as one batch, and the writer isolate's used heap is read through the inspector
 * every 2 ms until every row is in Postgres. Reports the peak over the heap before the batch, and
 * how long the rows took (the local queue's 1 s batch wait included).
 */

export interface HistoryBatchResult {
  messages: number;
  events: number;
  /** Rows in Postgres when the wait ended (every event's, unless it timed out after 60 s). */
  rows: number;
  /** The batch's message text, bytes. */
  bytes: number;
  /** The writer's used heap before the batch, and its peak above that while writing it, bytes. */
  heapBeforeBytes: number;
  peakAboveBytes: number;
  /** From sending the batch to every row in Postgres. */
  seconds: number;
}

export async function measureHistoryBatch(options: { messages: number; events: number }): Promise<HistoryBatchResult> {
  const inspector = await inspectedWorkerd();
  let bench: Awaited<ReturnType<typeof startBenchPlatform>> | undefined;
  try {
    bench = await startBenchPlatform("history-batch");
    return await writeOneBatch(bench, inspector.port, options.messages, options.events);
  } finally {
    await bench?.dispose();
    inspector.restore();
  }
}

async function writeOneBatch(bench: BenchPlatform, port: number, count: number, perMessage: number): Promise<HistoryBatchResult> {
  const { target, name } = bench.platform.database;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${HISTORY_ISOLATE}`);
  await new Promise((ok) => {
    ws.onopen = ok;
  });
  let used = 0;
  let peak = 0;
  ws.onmessage = (event) => {
    const m = JSON.parse(String(event.data)) as { result?: { usedSize?: number } };
    if (m.result?.usedSize === undefined) return;
    used = m.result.usedSize;
    peak = Math.max(peak, used);
  };
  let polling = true;
  const poll = (async () => {
    for (let id = 1; polling; id++) {
      ws.send(JSON.stringify({ id, method: "Runtime.getHeapUsage", params: {} }));
      await sleep(2);
    }
  })();
  await sleep(2000);
  const before = used;
  peak = 0;

  const run = Date.now().toString(36);
  const bodies = Array.from({ length: count }, (_, m) => {
    const message: HistoryMessage = {
      type: "events",
      market: "nyc-manhattan",
      zone: "882a100881fffff",
      events: Array.from({ length: perMessage }, (_, i) => ({
        kind: "supply" as const,
        source: "bench-history-batch",
        eventId: `s-${run}-${m}-${i}-abcdefgh`,
        cell: "892a100881bffff",
        at: Date.now(),
        actorId: `drv-${run}-${m}-${i}`,
        status: "available",
      })),
    };
    return envelopeText({ host: "zone", name: "" }, m + 1, JSON.stringify(message));
  });
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const queue = await bench.platform.historyQueue();
  const started = performance.now();
  await Promise.all(bodies.map((body) => queue.send(body, { contentType: "text" })));
  let rows = await countEvents(target, name);
  while (rows < count * perMessage && performance.now() - started < 60_000) {
    await sleep(100);
    rows = await countEvents(target, name);
  }
  const seconds = (performance.now() - started) / 1000;
  await sleep(500);
  polling = false;
  await poll;
  ws.close();
  return {
    messages: count,
    events: count * perMessage,
    rows,
    bytes,
    heapBeforeBytes: before,
    peakAboveBytes: peak - before,
    seconds,
  };
}

if (import.meta.main) {
  const arg = (name: string, fallback: number) =>
    Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
  buildBenchBundles();
  const r = await measureHistoryBatch({ messages: arg("messages", 100), events: arg("events", 540) });
  log(
    `history batch: ${r.messages} messages (${(r.bytes / 1e6).toFixed(1)} MB, ${r.events} events) written in ${r.seconds.toFixed(1)} s; writer heap ${mib(r.heapBeforeBytes).toFixed(1)} MiB before, peak +${mib(r.peakAboveBytes).toFixed(1)} MiB`,
  );
}
