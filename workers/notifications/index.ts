import { openPool } from "../../db/client";
import { setSubscriptionStatus, writeDeliveries } from "../../db/notifications";
import type { Envelope, OutboxMessage } from "../../shared/contracts/history";
import { HISTORY_RETRY } from "../../shared/contracts/history";
import type { DeliveryRecord, NotificationMessage } from "../../shared/contracts/notifications";
import { confirmToOrigins, directoryStub } from "../../shared/contracts/objects";
import { backoffMs } from "../../shared/kit/backoff";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import { backlogNotice, cellNotices, failureNotices, hotspotNotice, type Notice } from "../../shared/notifications/matching";
import type { DeliverJob } from "./hub";
import { deliver, hub } from "./send";

export { NotificationHub } from "./hub";

/**
 * The notifications worker: the consumer of its own queue, which carries two kinds of message.
 *
 * - **Envelopes from outboxes** (zones' crossings and backlogs, the system's failure events, the
 *   edge's guardrail stops and hotspots, the hubs' own delivery log): notices are handed to their market's hub, which matches them once per
 *   subscription; log records are written to Postgres. Then each message is confirmed to the
 *   outbox it came from, exactly as the history writer does. A failure retries the message with
 *   backoff; after the queue's retries the outbox, which still holds it, sends it again.
 * - **Delivery jobs** from the hubs, delayed to their time: claimed, sent through their channel,
 *   settled (`send.ts`). Always acknowledged: a hub dispatches again whatever is not settled.
 */

const DEAD_LETTER_QUEUE = "equilibrium-notifications-dlq";

interface Received {
  message: Message<unknown>;
  envelope?: Envelope<OutboxMessage>;
  job?: DeliverJob;
}

function receive(message: Message<unknown>): Received {
  try {
    const body = typeof message.body === "string" ? JSON.parse(message.body) : message.body;
    if (body && typeof body === "object") {
      if ((body as DeliverJob).type === "deliver") return { message, job: body as DeliverJob };
      if ("origin" in body && "message" in body) return { message, envelope: body as Envelope<OutboxMessage> };
    }
  } catch {
    // unreadable: acknowledged below, and said so
  }
  return { message };
}

// Every market's id, for system-wide mode changes (a few markets; read again after a minute).
const marketIds = new ExpiringMap<"markets", string[]>({ maxEntries: 1, ttlMs: 60_000 });

async function markets(env: NotificationsEnv): Promise<string[]> {
  const known = marketIds.get("markets");
  if (known) return known;
  const list = (await (directoryStub(env) as unknown as { list(): Promise<Array<{ id: string }>> }).list()).map((m) => m.id);
  marketIds.set("markets", list);
  return list;
}

/** The notices a message carries, by market. */
async function noticesOf(env: NotificationsEnv, message: OutboxMessage): Promise<Notice[]> {
  if (message.type === "cell-changes") return cellNotices(message.market, message.changes);
  if (message.type === "hotspots") return [hotspotNotice(message)];
  if (message.type === "backlog") return [backlogNotice(message)];
  if (message.type === "failure") {
    const e = message.event;
    return failureNotices(e, e.kind === "mode" && e.subject === "system" ? await markets(env) : []);
  }
  return [];
}

/** Hears outboxes' messages: notices to hubs, log records to Postgres; true for each message handled. */
async function hear(env: NotificationsEnv, received: Received[]): Promise<Received[]> {
  const byMarket = new Map<string, { notices: Notice[]; from: Received[] }>();
  const records: DeliveryRecord[] = [];
  const states: Array<Extract<NotificationMessage, { type: "subscription-state" }>> = [];
  const logged: Received[] = [];
  const done: Received[] = [];
  for (const r of received) {
    const m = r.envelope?.message as OutboxMessage;
    if (m.type === "notification-log") {
      records.push(...m.deliveries);
      logged.push(r);
    } else if (m.type === "subscription-state") {
      states.push(m);
      logged.push(r);
    } else {
      const notices = await noticesOf(env, m);
      if (notices.length === 0) done.push(r);
      for (const n of notices) {
        const entry = byMarket.get(n.market) ?? { notices: [], from: [] };
        entry.notices.push(n);
        if (!entry.from.includes(r)) entry.from.push(r);
        byMarket.set(n.market, entry);
      }
    }
  }
  const failed = new Set<Received>();
  await Promise.all(
    [...byMarket].map(async ([market, { notices, from }]) => {
      try {
        await hub(env, market).accept(market, notices);
      } catch (err) {
        console.error(
          JSON.stringify({ level: "warn", message: "a hub could not take notices; retrying", market, error: String(err) }),
        );
        for (const r of from) failed.add(r);
      }
    }),
  );
  for (const { from } of byMarket.values()) for (const r of from) if (!failed.has(r) && !done.includes(r)) done.push(r);
  if (logged.length > 0) {
    const { pool, db } = openPool(env);
    try {
      await writeDeliveries(db, records);
      for (const s of states) await setSubscriptionStatus(db, s.subscription, s.status, s.reason, s.at);
      done.push(...logged);
    } catch (err) {
      console.error(
        JSON.stringify({
          level: "warn",
          message: "the delivery log could not be written; retrying",
          error: String(err).slice(0, 300),
        }),
      );
    } finally {
      await pool.end().catch(() => undefined);
    }
  }
  return done;
}

/** Tells each origin which of its rows were handled; one that does not hear it sends them again. */
async function confirm(env: NotificationsEnv, handled: Received[]): Promise<void> {
  await confirmToOrigins(
    env,
    handled.map((r) => r.envelope),
  );
}

export default {
  async queue(batch: MessageBatch<unknown>, env: NotificationsEnv, ctx: ExecutionContext): Promise<void> {
    if (batch.queue === DEAD_LETTER_QUEUE) {
      // An outbox still holds every envelope here and sends it again; a hub dispatches every job again.
      console.error(
        JSON.stringify({ level: "warn", message: "notifications dead-lettered by the queue", count: batch.messages.length }),
      );
      batch.ackAll();
      return;
    }
    const received = batch.messages.map(receive);
    const envelopes = received.filter((r) => r.envelope);
    const jobs = received.filter((r) => r.job);
    for (const r of received) if (!r.envelope && !r.job) r.message.ack();

    const jobsByMarket = new Map<string, string[]>();
    for (const r of jobs) {
      const job = r.job as DeliverJob;
      jobsByMarket.set(job.market, [...(jobsByMarket.get(job.market) ?? []), ...job.ids]);
    }
    const [handled] = await Promise.all([
      envelopes.length > 0 ? hear(env, envelopes) : Promise.resolve([]),
      Promise.all(
        [...jobsByMarket].map(([market, ids]) =>
          deliver(env, market, ids).catch((err) =>
            console.error(
              JSON.stringify({
                level: "warn",
                message: "deliveries not sent now; their hub dispatches them again",
                market,
                error: String(err),
              }),
            ),
          ),
        ),
      ),
    ]);
    for (const r of jobs) r.message.ack();
    for (const r of envelopes) {
      if (handled.includes(r)) r.message.ack();
      else r.message.retry({ delaySeconds: Math.max(1, Math.round(backoffMs(r.message.attempts + 1, HISTORY_RETRY) / 1000)) });
    }
    ctx.waitUntil(confirm(env, handled));
  },

  /** Health only: everything else reaches notifications through the API. */
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === "/health/live") return Response.json({ status: "ok" });
    return Response.json(
      {
        type: "about:blank",
        title: "Not found",
        status: 404,
        code: "no-route",
        detail: "The notifications worker serves no routes.",
      },
      { status: 404, headers: { "content-type": "application/problem+json" } },
    );
  },
} satisfies ExportedHandler<NotificationsEnv, unknown>;
