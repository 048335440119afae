import type { HistoryMessage } from "../../shared/history";
import { guarded, type Reporter } from "./dependencies";

/**
 * History the edge itself produces (quotes issued and verified, request counts) is gathered per
 * isolate and sent to the history queue in batches every `FLUSH_MS`: one queue call per batch
 * instead of one per quote. A quote is signed and self-contained, so its history record may
 * follow a moment later. When the queue refuses, the batch stays buffered (up to `MAX_BUFFERED`,
 * oldest dropped beyond, with a log line) and goes with the next flush.
 */
const FLUSH_MS = 200;
const MAX_BUFFERED = 10_000;
const BATCH_MESSAGES = 100;
const BATCH_BYTES = 200_000;

let buffer: Array<{ message: HistoryMessage; bytes: number }> = [];
let scheduled = false;

export function recordHistory(env: Env, ctx: Reporter, message: HistoryMessage): void {
  buffer.push({ message, bytes: JSON.stringify(message).length });
  if (buffer.length > MAX_BUFFERED) {
    buffer.shift();
    console.error(JSON.stringify({ level: "error", message: "history buffer full: dropped the oldest edge record" }));
  }
  if (scheduled) return;
  scheduled = true;
  // The flush runs in this request's waitUntil; the messages are plain data, whoever recorded them.
  ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, FLUSH_MS)).then(() => flush(env, ctx)));
}

async function flush(env: Env, ctx: Reporter): Promise<void> {
  scheduled = false;
  while (buffer.length > 0) {
    let bytes = 0;
    let n = 0;
    while (n < buffer.length && n < BATCH_MESSAGES && (n === 0 || bytes + (buffer[n]?.bytes ?? 0) <= BATCH_BYTES)) {
      bytes += buffer[n]?.bytes ?? 0;
      n += 1;
    }
    const batch = buffer.slice(0, n);
    try {
      await guarded(env, ctx, "queue", "queue", () =>
        env.HISTORY.sendBatch(batch.map((b) => ({ body: b.message, contentType: "json" as const }))),
      );
      buffer = buffer.slice(n);
    } catch (err) {
      console.error(
        JSON.stringify({
          level: "warn",
          message: "history queue refused edge records; kept for the next flush",
          error: String(err).slice(0, 200),
          buffered: buffer.length,
        }),
      );
      return;
    }
  }
}
