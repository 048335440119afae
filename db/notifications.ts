import { type SQL, sql } from "drizzle-orm";
import type { DeliveryRecord } from "../shared/contracts/notifications";
import type { StoredSubscription } from "../shared/notifications/subscription";
import type { PoolDatabase } from "./client";
import { storableJson, storableText } from "./text";

/**
 * Notifications in Postgres: subscriptions (written by the API's routes, loaded by each market's
 * hub), and the delivery log (written by the notifications worker from its hubs' messages, read by
 * `GET /v1/notifications/deliveries`). Every write is idempotent: a row keeps the highest version.
 */

type Executor = Pick<PoolDatabase, "execute">;
const at = (ms: number) => sql`to_timestamp(${ms}::float8 / 1000)`;

export async function insertSubscription(db: Executor, s: StoredSubscription): Promise<void> {
  await db.execute(sql`insert into notification_subscriptions
      (id, market_id, owner, topic, status, version, expires_at, body, created_at, updated_at)
    values (${s.id}, ${s.market}, ${s.owner}, ${s.topic}, ${s.status}, ${s.version},
      ${s.expiresAt === null ? null : at(s.expiresAt)}, ${JSON.stringify(storableJson(s))}::jsonb, ${at(s.createdAt)}, ${at(s.version)})`);
}

/** How many live subscriptions an owner has (each owner holds a bounded number). */
export async function countOwned(db: Executor, owner: string): Promise<number> {
  const r = await db.execute(sql`select count(*)::int as n from notification_subscriptions
    where owner = ${owner} and status <> 'deleted'`);
  return Number((r.rows[0] as { n: number } | undefined)?.n ?? 0);
}

/** One subscription over the HTTP driver (deleted ones included: the route decides). */
export function subscriptionSql(id: string): SQL {
  return sql`select body from notification_subscriptions where id = ${id}`;
}

/**
 * Sets a subscription's status (deleted by its owner, disabled by a permanent failure, active
 * again on a replay) unless a newer version is stored; returns the stored subscription after.
 */
export async function setSubscriptionStatus(
  db: Executor,
  id: string,
  status: StoredSubscription["status"],
  reason: string | null,
  version: number,
): Promise<StoredSubscription | undefined> {
  const r = await db.execute(sql`update notification_subscriptions
    set status = ${status}, version = ${version}, updated_at = ${at(version)},
      body = body || jsonb_build_object('status', ${status}::text, 'statusReason', ${reason === null ? null : storableText(reason)}::text, 'version', ${version}::bigint)
    where id = ${id} and version < ${version} and status <> 'deleted'
    returning body`);
  return (r.rows[0] as { body: StoredSubscription } | undefined)?.body;
}

/** An owner's subscriptions (not deleted), newest first; with `market`, only that market's. */
export function ownedSubscriptionsSql(owner: string, market: string | undefined, limit: number): SQL {
  const inMarket = market === undefined ? sql`` : sql` and market_id = ${market}`;
  return sql`select body from notification_subscriptions
    where owner = ${owner} and status <> 'deleted'${inMarket} order by created_at desc, id limit ${limit}`;
}

/** A market's subscriptions that may still hear something (for its hub to hold). */
export function marketSubscriptionsSql(market: string, now: number): SQL {
  return sql`select body from notification_subscriptions
    where market_id = ${market} and status <> 'deleted' and (expires_at is null or expires_at > ${at(now)})`;
}

/** The delivery log: each record replaces an older version of its row, never a newer one. */
export async function writeDeliveries(db: Executor, records: readonly DeliveryRecord[]): Promise<void> {
  if (records.length === 0) return;
  // Within one batch the same delivery may appear at several versions: keep the latest.
  const latest = new Map<string, DeliveryRecord>();
  for (const r of records) if ((latest.get(r.id)?.version ?? -1) < r.version) latest.set(r.id, r);
  const rows = [...latest.values()].map((r) => storableJson(r));
  await db.execute(sql`insert into notification_deliveries
      (id, subscription_id, market_id, topic, channel, status, attempts, send_at, sent_at, last_error, locale, notices, version, updated_at)
    select r.id, r.subscription, r.market, r.topic, r.channel, r.status, r.attempts,
      to_timestamp(r."sendAt"::float8 / 1000), to_timestamp(r."sentAt"::float8 / 1000), r."lastError", r.locale, r.notices,
      r.version, now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id text, subscription text, market text, topic text,
      channel text, status text, attempts int, "sendAt" bigint, "sentAt" bigint, "lastError" text, locale text, notices jsonb,
      version bigint)
    on conflict (id) do update set status = excluded.status, attempts = excluded.attempts, send_at = excluded.send_at,
      sent_at = excluded.sent_at, last_error = excluded.last_error, notices = excluded.notices, version = excluded.version,
      updated_at = excluded.updated_at
    where notification_deliveries.version < excluded.version`);
}

/** A subscription's deliveries, newest first. */
export function deliveriesSql(subscriptionId: string, limit: number): SQL {
  return sql`select id, status, attempts, send_at, sent_at, last_error, locale, notices, topic, channel
    from notification_deliveries where subscription_id = ${subscriptionId}
    order by send_at desc, id limit ${limit}`;
}
