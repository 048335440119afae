import { openPool } from "../../db/client";
import { writeHistory } from "../../db/history";
import type { HistoryMessage } from "../../shared/history";

export { DeadLetters } from "./dead-letters";

/**
 * The analytics consumer. The history queue delivers batches; each batch is written to
 * Postgres in one idempotent transaction. When Postgres fails, every message is retried with
 * exponential backoff and jitter; after `max_retries` the queue moves it to the dead-letter
 * queue, whose consumer parks it in the DeadLetters object for replay.
 */

const DEAD_LETTER_QUEUE = "equilibrium-history-dlq";
const MAX_DELAY_SECONDS = 60;

function backoffSeconds(attempts: number): number {
  const ceiling = Math.min(MAX_DELAY_SECONDS, 2 ** Math.min(attempts, 6));
  return Math.max(1, Math.round(ceiling / 2 + Math.random() * (ceiling / 2)));
}

function deadLetters(env: AnalyticsEnv) {
  return env.DEAD_LETTERS.getByName("dead-letters");
}

export default {
  async queue(batch: MessageBatch<HistoryMessage>, env: AnalyticsEnv): Promise<void> {
    if (batch.queue === DEAD_LETTER_QUEUE) {
      await deadLetters(env).park(batch.messages.map((m) => ({ id: m.id, body: m.body, attempts: m.attempts })));
      batch.ackAll();
      env.METRICS?.writeDataPoint({ blobs: ["dead-letter"], doubles: [batch.messages.length], indexes: ["history"] });
      return;
    }
    const started = Date.now();
    const { pool, db } = openPool(env);
    try {
      const counts = await writeHistory(
        db,
        batch.messages.map((m) => m.body),
      );
      batch.ackAll();
      env.METRICS?.writeDataPoint({
        blobs: ["written"],
        doubles: [counts.events, counts.surgeMinutes, counts.quotes, counts.verifications, Date.now() - started],
        indexes: ["history"],
      });
    } catch (err) {
      const attempts = Math.max(...batch.messages.map((m) => m.attempts));
      console.error(
        JSON.stringify({
          level: "warn",
          message: "history write failed; retrying",
          error: String(err),
          messages: batch.messages.length,
          attempts,
        }),
      );
      env.METRICS?.writeDataPoint({
        blobs: ["retry", String(err).slice(0, 96)],
        doubles: [batch.messages.length, attempts],
        indexes: ["history"],
      });
      for (const m of batch.messages) m.retry({ delaySeconds: backoffSeconds(m.attempts) });
    } finally {
      await pool.end().catch(() => undefined);
    }
  },

  /** Operator endpoints (not routed publicly): the dead-letter count, and replaying it. */
  async fetch(request: Request, env: AnalyticsEnv): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/dead-letters" && request.method === "GET") return Response.json(await deadLetters(env).summary());
    if (pathname === "/dead-letters/replay" && request.method === "POST")
      return Response.json({ replayed: await deadLetters(env).replay() });
    if (pathname === "/health/live") return Response.json({ status: "ok" });
    return Response.json(
      { type: "about:blank", title: "Not found", status: 404, detail: `No route for ${pathname}` },
      {
        status: 404,
        headers: { "content-type": "application/problem+json" },
      },
    );
  },
} satisfies ExportedHandler<AnalyticsEnv, HistoryMessage>;
