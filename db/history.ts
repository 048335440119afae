import { type SQL, sql } from "drizzle-orm";
import type { AuditEntry, HistoryMessage, RequestCount } from "../shared/contracts/history";
import { atEpochMs, BulkRows } from "./bulk";
import type { PoolDatabase } from "./client";
import { addQuoteChanges, lockMarketDays, recomputeSurge, TouchedHours } from "./rollups";
import type { auditLog } from "./schema";
import { storableJson, storableText } from "./text";

export interface WriteCounts {
  events: number;
  surgeMinutes: number;
  quotes: number;
  verifications: number;
  audits: number;
}

/**
 * Writes a batch of history messages, one statement per table whatever the batch's size (rows
 * travel as arrays, see `bulk.ts`), and keeps the rollups KPIs read in the transaction of the
 * rows they sum (`rollups.ts`). Every write is idempotent — events and quotes are inserted once
 * by their ids, minutes are upserted (peaks only rise), verifications are remembered until their
 * quote exists, rollups count each change once — so a redelivered batch changes nothing.
 *
 * Round trips are what a writer waits for (locally on a thread busy with ingest, in production
 * across the network), so the events, the bulk of every batch, go as statements of their own, at
 * the same time as one transaction for everything else; a large batch's events go in two halves
 * on two connections, which Postgres inserts on two cores. Each part commits on its own: a
 * failure part-way fails the batch, and the writer (which confirms only after every part) writes
 * it again whole, finding what is already there.
 */
export async function writeHistory(db: PoolDatabase, messages: readonly HistoryMessage[]): Promise<WriteCounts> {
  const rows = toRows(messages);
  await Promise.all([
    ...rows.events.filter((part) => part.length > 0).map((part) => writeEvents(db, part)),
    run(db, statements(rows)),
  ]);
  return {
    events: rows.events.reduce((n, part) => n + part.length, 0),
    surgeMinutes: rows.minutes.length,
    quotes: rows.quotes.length,
    verifications: rows.verifications.length,
    audits: rows.audits.length,
  };
}

/**
 * Events are first inserted plainly: checking each row for a conflict (`ON CONFLICT DO NOTHING`)
 * costs Postgres about as much again as the insert, and almost every batch is new. When some
 * event is stored already (a redelivery), the statement fails on the key, changes nothing, and
 * runs again skipping what is there.
 */
async function writeEvents(db: PoolDatabase, events: EventRows): Promise<void> {
  const insert = (skipStored: boolean) =>
    sql`insert into events (kind, source, event_id, market_id, zone, cell, at, actor_id, status)
      select kind, source, event_id, market_id, zone, cell, ${atEpochMs("at_ms")}, actor_id, status from ${events.from()}
      ${skipStored ? sql`on conflict do nothing` : sql``}`;
  try {
    await db.execute(insert(false));
  } catch (err) {
    if (!isStoredEvent(err)) throw err;
    await db.execute(insert(true));
  }
}

/** Statements in one transaction; one alone runs without BEGIN and COMMIT (atomic by itself). */
async function run(db: PoolDatabase, list: readonly SQL[]): Promise<void> {
  const [only] = list;
  if (list.length === 1 && only) await db.execute(only);
  else if (list.length > 1)
    await db.transaction(async (tx) => {
      for (const statement of list) await tx.execute(statement);
    });
}

type Rows = ReturnType<typeof toRows>;

/** The batch's statements but its events, in the order they must run (rollup locks before the rows they cover). */
function statements(rows: Rows): SQL[] {
  const { minutes, touched, quotes, verifications, failures, audits, requests, experimentMinutes, experimentQuotes } = rows;
  const out: SQL[] = [];
  if (minutes.length > 0)
    out.push(
      // The rollup lock first: the minutes and the sums over them change together.
      lockMarketDays(touched),
      sql`insert into surge_minutes (market_id, cell, minute, zone, supply, demand, multiplier, peak_multiplier)
        select market_id, cell, ${atEpochMs("minute_ms")}, zone, supply, demand, multiplier, peak_multiplier from ${minutes.from()}
        on conflict (market_id, minute, cell) do update set supply = excluded.supply, demand = excluded.demand,
          multiplier = excluded.multiplier, peak_multiplier = greatest(surge_minutes.peak_multiplier, excluded.peak_multiplier)`,
      ...recomputeSurge(touched),
    );
  if (quotes.length > 0)
    out.push(
      addQuoteChanges(sql`insert into quotes (quote_id, market_id, product, cell, zone, currency, multiplier_tenths, total,
          total_at_one, issued_at, expires_at)
        select quote_id, market_id, product, cell, zone, currency, multiplier_tenths, total, total_at_one,
          ${atEpochMs("issued_ms")}, ${atEpochMs("expires_ms")} from ${quotes.from()}
        on conflict do nothing
        returning market_id, cell, zone, issued_at as at, 1 as quotes, 0 as verified, 0::bigint as revenue_at_surge,
          0::bigint as revenue_at_one`),
    );
  if (verifications.length > 0)
    out.push(sql`insert into pending_verifications (quote_id, verified_at)
      select quote_id, ${atEpochMs("at_ms")} from ${verifications.from()}
      on conflict (quote_id) do update set verified_at = least(pending_verifications.verified_at, excluded.verified_at)`);
  if (verifications.length > 0 || quotes.length > 0)
    out.push(
      // A verification may arrive before its quote: it waits in pending_verifications. A quote
      // counts as verified (with its revenue) when verified_at leaves null; later, only the
      // earliest time is kept.
      addQuoteChanges(sql`update quotes q set verified_at = p.verified_at from pending_verifications p
        where q.quote_id = p.quote_id and q.verified_at is null
        returning q.market_id, q.cell, q.zone, q.issued_at as at, 0 as quotes, 1 as verified,
          q.total as revenue_at_surge, q.total_at_one as revenue_at_one`),
      sql`update quotes q set verified_at = p.verified_at from pending_verifications p
        where q.quote_id = p.quote_id and p.verified_at < q.verified_at`,
      sql`delete from pending_verifications p using quotes q where q.quote_id = p.quote_id`,
    );
  // Experiments' arms of minutes and quotes: a redelivered minute replaces itself, a quote is kept once.
  if (experimentMinutes.length > 0)
    out.push(sql`insert into experiment_minutes (experiment_id, minute, cell, market_id, unit, window_index, variant, multiplier, shadow)
      select experiment_id, ${atEpochMs("minute_ms")}, cell, market_id, unit, window_index, variant, multiplier, shadow::jsonb
      from ${experimentMinutes.from()}
      on conflict (experiment_id, minute, cell) do update set unit = excluded.unit, window_index = excluded.window_index,
        variant = excluded.variant, multiplier = excluded.multiplier, shadow = excluded.shadow`);
  if (experimentQuotes.length > 0)
    out.push(sql`insert into experiment_quotes (quote_id, experiment_id, issued_at, unit, window_index, variant, shadow)
      select quote_id, experiment_id, ${atEpochMs("issued_ms")}, unit, window_index, variant, shadow::jsonb
      from ${experimentQuotes.from()}
      on conflict do nothing`);
  if (failures.length > 0)
    out.push(sql`insert into failure_events (id, at, kind, subject, status, detail)
      select id, ${atEpochMs("at_ms")}, kind, subject, status, detail::jsonb from ${failures.from()}
      on conflict do nothing`);
  if (audits.length > 0)
    out.push(sql`insert into audit_log (id, at, actor, roles, action, target, market_id, request_id, detail)
      select id, ${atEpochMs("at_ms")}, actor, roles::jsonb, action, target, market_id, request_id, detail::jsonb
      from ${audits.from()}
      on conflict do nothing`);
  if (requests.length > 0)
    out.push(sql`insert into request_minutes (minute, route, mode, outcome, bucket_ms, count)
      select ${atEpochMs("minute_ms")}, route, mode, outcome, bucket_ms, count from ${requests.from()}
      on conflict (minute, route, mode, outcome, bucket_ms) do update set count = request_minutes.count + excluded.count`);
  return out;
}

/** Postgres' refusal of an event whose key is stored already (drizzle wraps the driver's error). */
function isStoredEvent(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, table } = e as { code?: unknown; table?: unknown };
    if (code === "23505" && table === "events") return true;
  }
  return false;
}

/** A batch's messages as the rows of each table, one array per column. */
function toRows(messages: readonly HistoryMessage[]) {
  const eventCount = messages.reduce((n, m) => n + (m.type === "events" ? m.events.length : 0), 0);
  const events = Array.from({ length: eventCount >= HALVES_FROM ? 2 : 1 }, () => new BulkRows(EVENT_COLUMNS));
  const minutes = new Map<string, Minute>();
  const quotes = new BulkRows({
    quote_id: "text",
    market_id: "text",
    product: "text",
    cell: "text",
    zone: "text",
    currency: "text",
    multiplier_tenths: "int4",
    total: "int8",
    total_at_one: "int8",
    issued_ms: "float8",
    expires_ms: "float8",
  });
  const verified = new Map<string, number>();
  const failures = new BulkRows({ id: "text", at_ms: "float8", kind: "text", subject: "text", status: "text", detail: "text" });
  const audits = new BulkRows({
    id: "text",
    at_ms: "float8",
    actor: "text",
    roles: "text",
    action: "text",
    target: "text",
    market_id: "text",
    request_id: "text",
    detail: "text",
  });
  const requests = new Map<string, RequestCount>();
  const experimentMinutes = new Map<string, Record<ExperimentMinuteColumn, unknown>>();
  const experimentQuotes = new BulkRows(EXPERIMENT_QUOTE_COLUMNS);

  for (const m of messages) {
    switch (m.type) {
      case "events":
        // Halves by the id's last character: an event repeated in the batch is twice in one half,
        // so neither half waits on the other's uncommitted row.
        for (const e of m.events)
          (events[e.eventId.charCodeAt(e.eventId.length - 1) % events.length] as EventRows).push({
            kind: e.kind,
            // Messages from before events were namespaced carry no source: they were stored under "".
            source: e.source ?? "",
            event_id: e.eventId,
            market_id: m.market,
            zone: m.zone,
            cell: e.cell,
            at_ms: e.at,
            actor_id: e.actorId === null ? null : storableText(e.actorId),
            status: e.status,
          });
        break;
      case "surge":
        // One row per (market, minute, cell): an upsert may not touch a row twice in one statement.
        for (const x of m.minutes) {
          const key = `${m.market}|${x.minute}|${x.cell}`;
          const earlier = minutes.get(key);
          const peak = Math.max(earlier?.peak_multiplier ?? x.peakMultiplier, x.peakMultiplier);
          minutes.set(key, {
            market_id: m.market,
            zone: m.zone,
            cell: x.cell,
            minute_ms: x.minute,
            supply: x.supply,
            demand: x.demand,
            multiplier: x.multiplier,
            peak_multiplier: peak,
          });
          const e = x.experiment;
          if (e)
            experimentMinutes.set(`${e.id}|${key}`, {
              experiment_id: e.id,
              minute_ms: x.minute,
              cell: x.cell,
              market_id: m.market,
              unit: e.unit,
              window_index: e.window,
              variant: e.variant,
              multiplier: x.multiplier,
              shadow: e.shadow ? JSON.stringify(e.shadow) : null,
            });
        }
        break;
      case "quote": {
        const q = m.quote;
        quotes.push({
          quote_id: q.quoteId,
          market_id: q.market,
          product: q.product,
          cell: q.cell,
          zone: q.zone,
          currency: q.currency,
          multiplier_tenths: q.multiplierTenths,
          total: q.total,
          total_at_one: q.totalAtOne,
          issued_ms: q.issuedAt,
          expires_ms: q.expiresAt,
        });
        const e = q.experiment;
        if (e)
          experimentQuotes.push({
            quote_id: q.quoteId,
            experiment_id: e.id,
            issued_ms: q.issuedAt,
            unit: e.unit,
            window_index: e.window,
            variant: e.variant,
            shadow: e.shadow ? JSON.stringify(e.shadow) : null,
          });
        break;
      }
      case "verified":
        // The earliest verification of a quote is the one that counts.
        verified.set(m.quoteId, Math.min(verified.get(m.quoteId) ?? m.at, m.at));
        break;
      case "failure": {
        const f = m.event;
        failures.push({
          id: f.id,
          at_ms: f.at,
          kind: f.kind,
          subject: storableText(f.subject),
          status: f.status,
          detail: JSON.stringify(storableJson(f.detail)),
        });
        break;
      }
      case "audit": {
        const a = auditRow(m.entry);
        audits.push({
          id: a.id,
          at_ms: m.entry.at,
          actor: a.actor,
          roles: JSON.stringify(a.roles),
          action: a.action,
          target: a.target,
          market_id: a.marketId ?? null,
          request_id: a.requestId ?? null,
          detail: JSON.stringify(a.detail),
        });
        break;
      }
      case "requests":
        // Summed per key: one upsert per key per statement.
        for (const c of m.counts) {
          const key = `${c.minute}|${c.route}|${c.mode}|${c.outcome}|${c.bucketMs}`;
          const seen = requests.get(key);
          if (seen) seen.count += c.count;
          else requests.set(key, { ...c });
        }
        break;
    }
  }

  const minuteRows = new BulkRows({
    market_id: "text",
    zone: "text",
    cell: "text",
    minute_ms: "float8",
    supply: "float8",
    demand: "float8",
    multiplier: "float8",
    peak_multiplier: "float8",
  });
  const touched = new TouchedHours();
  for (const row of minutes.values()) {
    minuteRows.push(row);
    touched.add(row.market_id, row.cell, row.minute_ms);
  }
  const verifications = new BulkRows({ quote_id: "text", at_ms: "float8" });
  for (const [quote_id, at_ms] of verified) verifications.push({ quote_id, at_ms });
  /**
   * Request counts are additive, so unlike events they are not idempotent: a redelivered batch
   * counts twice. That is accepted for operational metrics; everything that is money or pricing
   * history is exact.
   */
  const requestRows = new BulkRows({
    minute_ms: "float8",
    route: "text",
    mode: "text",
    outcome: "text",
    bucket_ms: "int4",
    count: "int4",
  });
  for (const c of requests.values())
    requestRows.push({
      minute_ms: c.minute,
      route: c.route,
      mode: c.mode,
      outcome: c.outcome,
      bucket_ms: c.bucketMs,
      count: c.count,
    });
  const experimentMinuteRows = new BulkRows(EXPERIMENT_MINUTE_COLUMNS);
  for (const row of experimentMinutes.values()) experimentMinuteRows.push(row);
  return {
    events,
    minutes: minuteRows,
    touched,
    quotes,
    verifications,
    failures,
    audits,
    requests: requestRows,
    experimentMinutes: experimentMinuteRows,
    experimentQuotes,
  };
}

/** Columns of `experiment_minutes` and `experiment_quotes` as they travel (shadow prices as JSON text). */
const EXPERIMENT_MINUTE_COLUMNS = {
  experiment_id: "text",
  minute_ms: "float8",
  cell: "text",
  market_id: "text",
  unit: "text",
  window_index: "int4",
  variant: "text",
  multiplier: "float8",
  shadow: "text",
} as const;
type ExperimentMinuteColumn = keyof typeof EXPERIMENT_MINUTE_COLUMNS;
const EXPERIMENT_QUOTE_COLUMNS = {
  quote_id: "text",
  experiment_id: "text",
  issued_ms: "float8",
  unit: "text",
  window_index: "int4",
  variant: "text",
  shadow: "text",
} as const;

const EVENT_COLUMNS = {
  kind: "text",
  source: "text",
  event_id: "text",
  market_id: "text",
  zone: "text",
  cell: "text",
  at_ms: "float8",
  actor_id: "text",
  status: "text",
} as const;
type EventRows = BulkRows<keyof typeof EVENT_COLUMNS>;
/** Events in a batch from which they are written in two halves at once. */
const HALVES_FROM = 2_000;

interface Minute {
  market_id: string;
  zone: string;
  cell: string;
  minute_ms: number;
  supply: number;
  demand: number;
  multiplier: number;
  peak_multiplier: number;
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
