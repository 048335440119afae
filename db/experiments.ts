import { type SQL, sql } from "drizzle-orm";
import type { FailureEvent } from "../shared/contracts/history";
import { emptyRow, type UnitWindowRow } from "../shared/experiments/analysis";
import { type StoredExperiment, span } from "../shared/experiments/assignment";
import type { PoolDatabase } from "./client";
import { storableJson } from "./text";

/**
 * Experiments in Postgres: their definitions (`experiments`), and what the history writer keeps
 * of their readings and quotes (`experiment_minutes`, `experiment_quotes`, written by
 * `db/history.ts` from the zones' messages), from which results are computed.
 */

/** Why a save was refused: the experiment has started (or stopped), belongs to another market, or overlaps another. */
export type SaveRefusal =
  | { code: "experiment-started"; experiment: StoredExperiment }
  | { code: "experiment-market"; experiment: StoredExperiment }
  | { code: "experiment-overlap"; other: StoredExperiment };

/**
 * Creates an experiment, or replaces one that has not started. Under a lock per market, so two
 * saves cannot both pass the overlap check: a market runs one experiment at a time (two would
 * set the same cells' settings). A replacement keeps its salt and creation time.
 */
export async function saveExperiment(
  db: PoolDatabase,
  e: StoredExperiment,
  now: number,
): Promise<{ experiment: StoredExperiment; created: boolean; refused?: undefined } | { refused: SaveRefusal }> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`experiments:${e.market}`}))`);
  const existing = await loadExperiment(db, e.id, "for update");
  if (existing) {
    if (existing.market !== e.market) return { refused: { code: "experiment-market", experiment: existing } };
    if (existing.stoppedAt !== null || span(existing).from <= now)
      return { refused: { code: "experiment-started", experiment: existing } };
  }
  const { from, to } = span(e);
  const overlapping = await db.execute(sql`select body from experiments
    where market_id = ${e.market} and id <> ${e.id} and stopped_at is null
      and "from" < to_timestamp(${to}::float8 / 1000) and "to" > to_timestamp(${from}::float8 / 1000)
    order by "from" limit 1`);
  const other = (overlapping.rows[0] as { body: StoredExperiment } | undefined)?.body;
  if (other) return { refused: { code: "experiment-overlap", other } };
  const stored: StoredExperiment = existing ? { ...e, salt: existing.salt, createdAt: existing.createdAt } : e;
  await db.execute(sql`insert into experiments (id, market_id, "from", "to", stopped_at, body, updated_at)
    values (${e.id}, ${e.market}, to_timestamp(${from}::float8 / 1000), to_timestamp(${to}::float8 / 1000), null,
      ${JSON.stringify(storableJson(stored))}::jsonb, to_timestamp(${now}::float8 / 1000))
    on conflict (id) do update set "from" = excluded."from", "to" = excluded."to", body = excluded.body,
      updated_at = excluded.updated_at`);
  return { experiment: stored, created: existing === undefined };
}

/** One experiment, or undefined. */
export async function loadExperiment(
  db: Pick<PoolDatabase, "execute">,
  id: string,
  lock?: "for update",
): Promise<StoredExperiment | undefined> {
  const result = await db.execute(sql`select body from experiments where id = ${id} ${lock ? sql`for update` : sql``}`);
  return (result.rows[0] as { body: StoredExperiment } | undefined)?.body;
}

/** The read of one experiment over the HTTP driver. */
export function experimentSql(id: string): SQL {
  return sql`select body from experiments where id = ${id}`;
}

/** Experiments of a market (or all), newest first. */
export function experimentsSql(market: string | undefined, limit = 100): SQL {
  return sql`select body from experiments ${market ? sql`where market_id = ${market}` : sql``}
    order by "from" desc limit ${limit}`;
}

/** Experiments of a market a guardrail stopped since `since` (ms), newest first: for the market's alerts. */
export function guardrailStopsSql(market: string, since: number): SQL {
  return sql`select body from experiments where market_id = ${market}
    and stopped_at >= to_timestamp(${since}::float8 / 1000) and body->>'stopReason' like 'guardrail%'
    order by stopped_at desc limit 10`;
}

/** The failure events of guardrail stops since `since`, oldest first (for telling operators again: each is heard once). */
export function guardrailEventsSql(since: number): SQL {
  return sql`select id, extract(epoch from at) * 1000 as at, subject, status, detail from failure_events
    where kind = 'experiment' and at >= to_timestamp(${since}::float8 / 1000) order by at limit 100`;
}

/** Experiments that price at `now` or did within the last `graceMs` (their inputs may still be set): for the job. */
export function liveExperimentsSql(now: number, graceMs: number): SQL {
  return sql`select body from experiments
    where stopped_at is null and "from" <= to_timestamp(${now}::float8 / 1000)
      and "to" > to_timestamp(${now - graceMs}::float8 / 1000)`;
}

/**
 * Stops an experiment now, with a reason; a guardrail's stop also logs its failure event in the
 * same transaction. Answers the stopped experiment, or, if it was stopped already, that one as it was.
 */
export async function stopExperiment(
  db: PoolDatabase,
  id: string,
  now: number,
  reason: string,
  failure?: FailureEvent,
): Promise<{ experiment: StoredExperiment; stopped: boolean } | undefined> {
  const at = new Date(now).toISOString();
  const updated = await db.execute(sql`update experiments
    set stopped_at = to_timestamp(${now}::float8 / 1000), updated_at = to_timestamp(${now}::float8 / 1000),
      body = body || jsonb_build_object('stoppedAt', ${at}::text, 'stopReason', ${reason}::text, 'updatedAt', ${at}::text)
    where id = ${id} and stopped_at is null
    returning body`);
  const stopped = (updated.rows[0] as { body: StoredExperiment } | undefined)?.body;
  if (!stopped) {
    const existing = await loadExperiment(db, id);
    return existing && { experiment: existing, stopped: false };
  }
  if (failure)
    await db.execute(sql`insert into failure_events (id, at, kind, subject, status, detail)
      values (${failure.id}, to_timestamp(${failure.at}::float8 / 1000), ${failure.kind}, ${failure.subject}, ${failure.status},
        ${JSON.stringify(storableJson(failure.detail))}::jsonb)
      on conflict do nothing`);
  return { experiment: stopped, stopped: true };
}

/**
 * What history recorded of an experiment, per unit, window and variant, after each window's
 * burn-in: cell-minutes and their multipliers (`m`), quotes with their verification and revenue
 * (`q`), and demand events in the cells and minutes the experiment labelled (`d`). Shadow
 * experiments read each variant's multiplier and totals from the shadow columns; demand, being
 * the same for every variant, comes once per unit-window (variant `*`).
 */
export function resultRowsSql(e: StoredExperiment): SQL {
  const { from, to } = span(e);
  const windowMs = e.windowMinutes * 60_000;
  const burnMs = e.burnInMinutes * 60_000;
  // Where each window's counted part starts.
  const counted = (table: string) =>
    sql`to_timestamp((${from}::float8 + ${sql.raw(table)}.window_index * ${windowMs}::float8 + ${burnMs}::float8) / 1000)`;
  const shadow = e.mode === "shadow";
  const minutes = shadow
    ? sql`select 'm' as part, m.unit, m.window_index, s.key as variant, count(*)::float8 as a, sum(s.value::float8) as b,
          0::float8 as c, 0::float8 as d
        from experiment_minutes m cross join lateral jsonb_each_text(m.shadow) s
        where m.experiment_id = ${e.id} and m.minute >= ${counted("m")} group by 2, 3, 4`
    : sql`select 'm' as part, m.unit, m.window_index, m.variant, count(*)::float8 as a, sum(m.multiplier)::float8 as b,
          0::float8 as c, 0::float8 as d
        from experiment_minutes m
        where m.experiment_id = ${e.id} and m.minute >= ${counted("m")} group by 2, 3, 4`;
  const quotes = shadow
    ? sql`select 'q' as part, x.unit, x.window_index, s.key as variant, count(*)::float8 as a, count(q.verified_at)::float8 as b,
          coalesce(sum((s.value ->> 'total')::float8) filter (where q.verified_at is not null), 0)::float8 as c,
          coalesce(sum(q.total_at_one) filter (where q.verified_at is not null), 0)::float8 as d
        from experiment_quotes x join quotes q on q.quote_id = x.quote_id cross join lateral jsonb_each(x.shadow) s
        where x.experiment_id = ${e.id} and x.issued_at >= ${counted("x")} group by 2, 3, 4`
    : sql`select 'q' as part, x.unit, x.window_index, x.variant, count(*)::float8 as a, count(q.verified_at)::float8 as b,
          coalesce(sum(q.total) filter (where q.verified_at is not null), 0)::float8 as c,
          coalesce(sum(q.total_at_one) filter (where q.verified_at is not null), 0)::float8 as d
        from experiment_quotes x join quotes q on q.quote_id = x.quote_id
        where x.experiment_id = ${e.id} and x.issued_at >= ${counted("x")} group by 2, 3, 4`;
  const demand = sql`select 'd' as part, m.unit, m.window_index, ${shadow ? sql`'*'` : sql`m.variant`} as variant,
        count(*) filter (where ev.status = 'search')::float8 as a, count(*) filter (where ev.status = 'request')::float8 as b,
        0::float8 as c, 0::float8 as d
      from events ev join experiment_minutes m on m.experiment_id = ${e.id} and m.market_id = ev.market_id
        and m.cell = ev.cell and m.minute = date_trunc('minute', ev.at)
      where ev.market_id = ${e.market} and ev.kind = 'demand'
        and ev.at >= to_timestamp(${from}::float8 / 1000) and ev.at < to_timestamp(${to}::float8 / 1000)
        and m.minute >= ${counted("m")}
      group by 2, 3, 4`;
  return sql`${minutes} union all ${quotes} union all ${demand}`;
}

/** `resultRowsSql`'s parts merged into one row per unit, window and variant (shadow: demand copied to every variant). */
export function unitWindowRows(e: StoredExperiment, parts: ReadonlyArray<Record<string, unknown>>): UnitWindowRow[] {
  const rows = new Map<string, UnitWindowRow>();
  const rowOf = (unit: string, window: number, variant: string) => {
    const key = `${unit}|${window}|${variant}`;
    let row = rows.get(key);
    if (!row) {
      row = emptyRow(unit, window, variant);
      rows.set(key, row);
    }
    return row;
  };
  const variants = e.variants.map((v) => v.id);
  for (const p of parts) {
    const unit = String(p.unit);
    const window = Number(p.window_index);
    const [a, b, c, d] = [Number(p.a), Number(p.b), Number(p.c), Number(p.d)];
    if (p.part === "d") {
      for (const variant of p.variant === "*" ? variants : [String(p.variant)]) {
        const row = rowOf(unit, window, variant);
        row.searches += a;
        row.requests += b;
      }
      continue;
    }
    const row = rowOf(unit, window, String(p.variant));
    if (p.part === "m") {
      row.cellMinutes += a;
      row.multiplierSum += b;
    } else {
      row.quotes += a;
      row.verified += b;
      row.revenue += c;
      row.revenueAtOne += d;
    }
  }
  // Only a variant of the experiment counts (a shadow map could hold no other, but the rows are history's).
  return [...rows.values()].filter((r) => variants.includes(r.variant));
}

/** A market's recorded events over [from, to), in time order, at most `limit` (ask one more to tell "too many"). */
export function replayEventsSql(market: string, from: number, to: number, limit: number): SQL {
  return sql`select kind, source, actor_id, cell, (extract(epoch from at) * 1000)::float8 as at_ms, status from events
    where market_id = ${market} and at >= to_timestamp(${from}::float8 / 1000) and at < to_timestamp(${to}::float8 / 1000)
    order by at, kind, source, event_id limit ${limit}`;
}

/** What a market's zones showed per cell and minute over [from, to). */
export function recordedMinutesSql(market: string, from: number, to: number): SQL {
  return sql`select cell, (extract(epoch from minute) * 1000)::float8 as minute_ms, multiplier::float8 as multiplier
    from surge_minutes
    where market_id = ${market} and minute >= to_timestamp(${from}::float8 / 1000) and minute < to_timestamp(${to}::float8 / 1000)`;
}
