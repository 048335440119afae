import { sql } from "drizzle-orm";
import type { AuditEntry, HistoryMessage, RequestCount } from "../shared/contracts/history";
import type { PoolDatabase } from "./client";
import { auditLog, events, failureEvents, pendingVerifications, quotes, requestMinutes, surgeMinutes } from "./schema";
import { storableJson, storableText } from "./text";

/** Rows per INSERT: well under Postgres' 65,535 bound parameters. */
const CHUNK = 1000;

export interface WriteCounts {
  events: number;
  surgeMinutes: number;
  quotes: number;
  verifications: number;
  audits: number;
}

/**
 * Writes a batch of history messages in one transaction. Every write is idempotent — events
 * and quotes are inserted once by their ids, minutes are upserted, verifications are
 * remembered until their quote exists — so a redelivered batch changes nothing.
 */
export async function writeHistory(db: PoolDatabase, messages: readonly HistoryMessage[]): Promise<WriteCounts> {
  const eventRows = messages.flatMap((m) =>
    m.type === "events"
      ? m.events.map((e) => ({
          kind: e.kind,
          // Messages from before events were namespaced carry no source: they were stored under "".
          source: e.source ?? "",
          eventId: e.eventId,
          marketId: m.market,
          zone: m.zone,
          cell: e.cell,
          at: new Date(e.at),
          actorId: e.actorId === null ? null : storableText(e.actorId),
          status: e.status,
        }))
      : [],
  );
  const minuteRows = latestPerKey(
    messages.flatMap((m) =>
      m.type === "surge"
        ? m.minutes.map((x) => ({
            marketId: m.market,
            zone: m.zone,
            cell: x.cell,
            minute: new Date(x.minute),
            supply: x.supply,
            demand: x.demand,
            multiplier: x.multiplier,
            peakMultiplier: x.peakMultiplier,
          }))
        : [],
    ),
  );
  const quoteRows = messages.flatMap((m) =>
    m.type === "quote"
      ? [
          {
            quoteId: m.quote.quoteId,
            marketId: m.quote.market,
            product: m.quote.product,
            cell: m.quote.cell,
            zone: m.quote.zone,
            currency: m.quote.currency,
            multiplierTenths: m.quote.multiplierTenths,
            total: m.quote.total,
            totalAtOne: m.quote.totalAtOne,
            issuedAt: new Date(m.quote.issuedAt),
            expiresAt: new Date(m.quote.expiresAt),
          },
        ]
      : [],
  );
  const failureRows = messages.flatMap((m) =>
    m.type === "failure"
      ? [{ ...m.event, subject: storableText(m.event.subject), at: new Date(m.event.at), detail: storableJson(m.event.detail) }]
      : [],
  );
  const auditRows = messages.flatMap((m) => (m.type === "audit" ? [auditRow(m.entry)] : []));
  const requestRows = sumRequests(messages.flatMap((m) => (m.type === "requests" ? m.counts : [])));
  const verifiedRows = messages.flatMap((m) =>
    m.type === "verified" ? [{ quoteId: m.quoteId, verifiedAt: new Date(m.at) }] : [],
  );

  await db.transaction(async (tx) => {
    for (let i = 0; i < eventRows.length; i += CHUNK) {
      await tx
        .insert(events)
        .values(eventRows.slice(i, i + CHUNK))
        .onConflictDoNothing();
    }
    for (let i = 0; i < minuteRows.length; i += CHUNK) {
      await tx
        .insert(surgeMinutes)
        .values(minuteRows.slice(i, i + CHUNK))
        .onConflictDoUpdate({
          target: [surgeMinutes.marketId, surgeMinutes.minute, surgeMinutes.cell],
          set: {
            supply: sql`excluded.supply`,
            demand: sql`excluded.demand`,
            multiplier: sql`excluded.multiplier`,
            peakMultiplier: sql`greatest(${surgeMinutes.peakMultiplier}, excluded.peak_multiplier)`,
          },
        });
    }
    for (let i = 0; i < quoteRows.length; i += CHUNK) {
      await tx
        .insert(quotes)
        .values(quoteRows.slice(i, i + CHUNK))
        .onConflictDoNothing();
    }
    if (failureRows.length > 0) await tx.insert(failureEvents).values(failureRows).onConflictDoNothing();
    if (auditRows.length > 0) await tx.insert(auditLog).values(auditRows).onConflictDoNothing();
    for (let i = 0; i < requestRows.length; i += CHUNK) {
      await tx
        .insert(requestMinutes)
        .values(requestRows.slice(i, i + CHUNK))
        .onConflictDoUpdate({
          target: [
            requestMinutes.minute,
            requestMinutes.route,
            requestMinutes.mode,
            requestMinutes.outcome,
            requestMinutes.bucketMs,
          ],
          set: { count: sql`${requestMinutes.count} + excluded.count` },
        });
    }
    if (verifiedRows.length > 0) await tx.insert(pendingVerifications).values(verifiedRows).onConflictDoNothing();
    if (verifiedRows.length > 0 || quoteRows.length > 0) {
      // A verification may arrive before its quote: it waits in pending_verifications.
      await tx.execute(sql`update quotes q set verified_at = least(coalesce(q.verified_at, p.verified_at), p.verified_at)
        from pending_verifications p where q.quote_id = p.quote_id`);
      await tx.execute(sql`delete from pending_verifications p using quotes q where q.quote_id = p.quote_id`);
    }
  });
  return {
    events: eventRows.length,
    surgeMinutes: minuteRows.length,
    quotes: quoteRows.length,
    verifications: verifiedRows.length,
    audits: auditRows.length,
  };
}

/** An audit entry as a row (also written directly, in the transaction of the change it records). */
export function auditRow(entry: AuditEntry): typeof auditLog.$inferInsert {
  return {
    id: entry.id,
    at: new Date(entry.at),
    actor: storableText(entry.actor),
    roles: entry.roles.map(storableText),
    action: entry.action,
    target: storableText(entry.target),
    marketId: entry.market,
    requestId: entry.requestId,
    detail: storableJson(entry.detail),
  };
}

/** One upsert per (market, minute, cell) per statement: Postgres refuses to update a row twice in one INSERT. */
function latestPerKey<T extends { marketId: string; minute: Date; cell: string; peakMultiplier: number }>(rows: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const key = `${row.marketId}|${row.minute.getTime()}|${row.cell}`;
    const earlier = byKey.get(key);
    byKey.set(key, earlier ? { ...row, peakMultiplier: Math.max(earlier.peakMultiplier, row.peakMultiplier) } : row);
  }
  return [...byKey.values()];
}

/**
 * Request counts of one batch summed per key (one upsert per key per statement). Counts are
 * additive, so unlike events they are not idempotent: a redelivered batch counts twice. That is
 * accepted for operational metrics; everything that is money or pricing history is exact.
 */
function sumRequests(counts: RequestCount[]) {
  const byKey = new Map<string, RequestCount>();
  for (const c of counts) {
    const key = `${c.minute}|${c.route}|${c.mode}|${c.outcome}|${c.bucketMs}`;
    const seen = byKey.get(key);
    if (seen) seen.count += c.count;
    else byKey.set(key, { ...c });
  }
  return [...byKey.values()].map((c) => ({ ...c, minute: new Date(c.minute) }));
}
