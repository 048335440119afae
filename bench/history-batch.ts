import { envelopeText, type HistoryMessage } from "../shared/contracts/history";
import { countEvents } from "./history";
import { HISTORY_ISOLATE, inspectedWorkerd } from "./inspector";
import { buildBenchBundles, startBenchPlatform } from "./platform";
import { log, mib } from "./report";
import { sleep } from "./stats";

/**
 * The history writer's heap while it writes one full batch: `bun bench/history-batch.ts
 * [--messages=100] [--events=540]` puts that many messages of that many events (540: ~100 KB,
 * the outbox's largest message) on the history queue at once, so the writer gets them as one
 * batch, and reads the writer isolate's used heap through the inspector every 2 ms until every
 * row is in Postgres. Prints the peak over the heap before the batch, and how long the rows took
 * (the local queue's 1 s batch wait included).
 */

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const MESSAGES = arg("messages", 100);
const EVENTS = arg("events", 540);

buildBenchBundles();
const inspector = await inspectedWorkerd();
const bench = await startBenchPlatform("history-batch");
const { target, name } = bench.platform.database;
try {
  const ws = new WebSocket(`ws://127.0.0.1:${inspector.port}/${HISTORY_ISOLATE}`);
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
  const bodies = Array.from({ length: MESSAGES }, (_, m) => {
    const message: HistoryMessage = {
      type: "events",
      market: "nyc-manhattan",
      zone: "882a100881fffff",
      events: Array.from({ length: EVENTS }, (_, i) => ({
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
  while ((await countEvents(target, name)) < MESSAGES * EVENTS && performance.now() - started < 60_000) await sleep(100);
  const seconds = (performance.now() - started) / 1000;
  await sleep(500);
  polling = false;
  await poll;
  ws.close();
  log(
    `history batch: ${MESSAGES} messages (${(bytes / 1e6).toFixed(1)} MB, ${MESSAGES * EVENTS} events) written in ${seconds.toFixed(1)} s; writer heap ${mib(before).toFixed(1)} MiB before, peak +${mib(peak - before).toFixed(1)} MiB`,
  );
} finally {
  await bench.dispose();
  inspector.restore();
}
