import { sql } from "drizzle-orm";
import type { HistoryMessage } from "../shared/history";
import type { PoolDatabase } from "./client";
import { events, pendingVerifications, quotes, surgeMinutes } from "./schema";

/** Rows per INSERT: well under Postgres' 65,535 bound parameters. */
const CHUNK = 1000;

export interface WriteCounts {
  events: number;
  surgeMinutes: number;
  quotes: number;
  verifications: number;
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
          eventId: e.eventId,
          marketId: m.market,
          zone: m.zone,
          cell: e.cell,
          at: new Date(e.at),
          actorId: e.actorId,
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
