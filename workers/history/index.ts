import { openPool, type PoolDatabase } from "../../db/client";
import { writeHistory } from "../../db/history";
import { type Envelope, HISTORY_RETRY, type HistoryMessage } from "../../shared/contracts/history";
import { confirmToOrigins, deadLettersStub } from "../../shared/contracts/objects";
import { backoffMs } from "../../shared/kit/backoff";
import { slices } from "./slices";

export { DeadLetters } from "./dead-letters";

/**
 * The history writer: the history queue's consumer. Each batch is written to Postgres in slices
 * of at most 2 MB of message text (`slices.ts`), each one idempotent pass, then every message is
 * confirmed to the object whose outbox it came from (which only then forgets it).
 *
 * - A database that cannot be reached: the slice's messages and the later slices' are retried
 *   with backoff and jitter (the slices before are written and acknowledged).
 * - Anything else that fails a slice (a row Postgres refuses, a message that cannot be read):
 *   its messages are written one by one, so the bad one is found; it is parked in the
 *   DeadLetters object with its reason and confirmed, and its neighbours are written.
 * - After `max_retries` (a long outage) the queue moves a message to the dead-letter queue. Its
 *   consumer leaves a message with an origin to that origin's outbox, which still holds it and
 *   sends it again (with growing delays) until it is written: an outage of any length drains by
 *   itself. Only messages without an origin are parked there.
 * - Parked messages are replayed by an admin once the cause is fixed.
 */

const DEAD_LETTER_QUEUE = "equilibrium-history-dlq";

interface Received {
  message: Message<unknown>;
  envelope: Envelope | undefined;
  /** Why the body could not be read (then it is parked as it came). */
  unreadable?: string;
}

/** A queue body as an envelope; bodies from before envelopes (bare messages) have no origin to confirm. */
function receive(message: Message<unknown>): Received {
  try {
    const body = typeof message.body === "string" ? JSON.parse(message.body) : message.body;
    if (body && typeof body === "object" && "message" in body && "origin" in body) return { message, envelope: body as Envelope };
    if (body && typeof body === "object" && "type" in body)
      return { message, envelope: { origin: { host: "zone", name: "" }, seq: 0, message: body as HistoryMessage } };
    return { message, envelope: undefined, unreadable: "not a history message" };
  } catch (err) {
    return { message, envelope: undefined, unreadable: `unreadable body: ${String(err).slice(0, 200)}` };
  }
}

/** A failure to reach or keep talking to the database (retry), as opposed to one about the data (isolate). */
export function isConnectionFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return /^(08|53|57|40)/.test(code);
    if (/connect|ECONN|socket|timed? ?out|terminat|closed|unavailable|network/i.test(String((e as Error).message ?? e)))
      return true;
  }
  return false;
}

/** Tells each origin which of its rows are now in Postgres (or parked); an origin that cannot hear it will resend. */
async function confirm(env: HistoryEnv, written: ReadonlyArray<Pick<Envelope, "origin" | "seq"> | undefined>): Promise<void> {
  const failed = await confirmToOrigins(env, written);
  if (failed > 0)
    console.error(
      JSON.stringify({ level: "warn", message: "could not confirm history to some outboxes; they will resend", failed }),
    );
}

async function park(env: HistoryEnv, items: Array<{ received: Received; reason: string }>): Promise<void> {
  if (items.length === 0) return;
  await deadLettersStub(env).park(
    items.map(({ received, reason }) => ({
      id: received.message.id,
      body: typeof received.message.body === "string" ? received.message.body : JSON.stringify(received.message.body),
      attempts: received.message.attempts,
      reason,
    })),
  );
  console.error(
    JSON.stringify({
      level: "error",
      message: "history parked in dead letters",
      count: items.length,
      reasons: [...new Set(items.map((i) => i.reason))].slice(0, 5),
    }),
  );
}

async function write(db: PoolDatabase, received: Received[]) {
  return writeHistory(
    db,
    received.map((r) => (r.envelope as Envelope).message),
  );
}

/** What a slice's messages became: written, or parked (both acknowledged); only their origins are kept. */
interface SliceOutcome {
  done: Array<Pick<Envelope, "origin" | "seq"> | undefined>;
  parked: Array<Pick<Envelope, "origin" | "seq"> | undefined>;
}

/**
 * Writes one slice in one pass; when Postgres refuses something in it, each message on its own,
 * so the bad one is found and parked. `unreachable`: the database could not be reached (the
 * error), and nothing of the slice was acknowledged.
 */
async function writeSlice(
  env: HistoryEnv,
  db: PoolDatabase,
  messages: Message<unknown>[],
): Promise<SliceOutcome | { unreachable: unknown }> {
  const received = messages.map(receive);
  const readable = received.filter((r) => r.envelope);
  const done: Received[] = [];
  const parked: Array<{ received: Received; reason: string }> = received
    .filter((r) => !r.envelope)
    .map((r) => ({ received: r, reason: r.unreadable ?? "unreadable" }));
  try {
    if (readable.length > 0) await write(db, readable);
    done.push(...readable);
  } catch (err) {
    if (isConnectionFailure(err)) return { unreachable: err };
    // Something in the slice is refused: write each on its own, park what still fails.
    for (const r of readable) {
      try {
        await write(db, [r]);
        done.push(r);
      } catch (one) {
        if (isConnectionFailure(one)) r.message.retry({ delaySeconds: delaySeconds(r.message.attempts) });
        else parked.push({ received: r, reason: describe(one) });
      }
    }
  }
  await park(env, parked);
  for (const r of [...done, ...parked.map((p) => p.received)]) r.message.ack();
  const origin = (r: Received) => r.envelope && { origin: r.envelope.origin, seq: r.envelope.seq };
  return { done: done.map(origin), parked: parked.map((p) => origin(p.received)) };
}

export default {
  async queue(batch: MessageBatch<unknown>, env: HistoryEnv, ctx: ExecutionContext): Promise<void> {
    if (batch.queue === DEAD_LETTER_QUEUE) {
      const received = batch.messages.map(receive);
      const orphans = received.filter((r) => !r.envelope || r.envelope.origin.name === "");
      await park(
        env,
        orphans.map((r) => ({ received: r, reason: r.unreadable ?? `still failing after ${r.message.attempts} attempts` })),
      );
      batch.ackAll();
      env.METRICS?.writeDataPoint({
        blobs: ["dead-letter"],
        doubles: [orphans.length, received.length - orphans.length],
        indexes: ["history"],
      });
      return;
    }

    const started = Date.now();
    const { pool, db } = openPool(env);
    // What is written or parked, to confirm to its origin once the batch is through (or stopped).
    const written: SliceOutcome = { done: [], parked: [] };
    try {
      const sliced = slices(batch.messages);
      for (const [i, slice] of sliced.entries()) {
        const outcome = await writeSlice(env, db, slice);
        if ("unreachable" in outcome) {
          // The database went away: this slice and the ones after it are tried again later; the
          // slices before it are written and acknowledged.
          retryAll(sliced.slice(i).flat(), outcome.unreachable);
          return;
        }
        written.done.push(...outcome.done);
        written.parked.push(...outcome.parked);
      }
      env.METRICS?.writeDataPoint({
        blobs: ["written"],
        doubles: [written.done.length, written.parked.length, Date.now() - started],
        indexes: ["history"],
      });
    } finally {
      // Confirmed after the commits, off the batch's path: the queue's next batch need not wait for
      // the outboxes (one that misses it resends, and the write is idempotent).
      if (written.done.length + written.parked.length > 0) ctx.waitUntil(confirm(env, [...written.done, ...written.parked]));
      ctx.waitUntil(pool.end().catch(() => undefined));
    }
  },

  /** Operator endpoints (not routed publicly): the dead-letter count, and replaying it. */
  async fetch(request: Request, env: HistoryEnv): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/dead-letters" && request.method === "GET") return Response.json(await deadLettersStub(env).summary());
    if (pathname === "/dead-letters/replay" && request.method === "POST")
      return Response.json({ replayed: await deadLettersStub(env).replay() });
    if (pathname === "/health/live") return Response.json({ status: "ok" });
    return Response.json(
      { type: "about:blank", title: "Not found", status: 404, detail: `No route for ${pathname}` },
      {
        status: 404,
        headers: { "content-type": "application/problem+json" },
      },
    );
  },
} satisfies ExportedHandler<HistoryEnv, unknown>;

function delaySeconds(attempts: number): number {
  return Math.max(1, Math.round(backoffMs(attempts + 2, HISTORY_RETRY) / 1000));
}

function retryAll(messages: readonly Message<unknown>[], err: unknown): void {
  const attempts = Math.max(...messages.map((m) => m.attempts));
  console.error(
    JSON.stringify({
      level: "warn",
      message: "history database unreachable; retrying",
      error: String(err).slice(0, 300),
      messages: messages.length,
      attempts,
    }),
  );
  for (const m of messages) m.retry({ delaySeconds: delaySeconds(m.attempts) });
}

/** The reason a message is parked: Postgres' own words where it gave them. */
function describe(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return `${code}: ${String((e as Error).message).slice(0, 300)}`;
  }
  return String(err).slice(0, 300);
}
