import { type SQL, sql } from "drizzle-orm";
import { BulkRows } from "./bulk";

/**
 * Rollups of history, kept in the transaction that writes the rows they sum, so KPIs read a few
 * hundred rows instead of a month of minutes: `cell_hours` (market × cell × UTC hour),
 * `market_hours` (their sum per market and hour) and `market_days` (the hours' sum per UTC day).
 * Every level holds the same sums (see `rollupColumns` in schema.ts).
 *
 * Each part is kept the way that stays exact when a batch is delivered twice, or when two
 * batches are written at once by concurrent consumers:
 * - **Surge columns are recomputed**, never added to: minutes are upserted (a redelivered
 *   minute replaces itself), then the hours they fall in are summed again from `surge_minutes`,
 *   the market's hours from `cell_hours`, its days from `market_hours`. Recomputing from rows
 *   another open transaction is changing could lose its change, so a writer first takes a
 *   transaction lock per market and day it touches ({@link lockMarketDays}); each statement after
 *   it sees everything the lock's earlier holders committed.
 * - **Quote columns are added to, once per change**: a quote counts when its insert actually
 *   inserted it and a verification when it actually moved `verified_at` from null
 *   (`RETURNING` of the write itself, {@link addQuoteChanges}); a redelivery inserts and moves
 *   nothing, and Postgres' row locks make a concurrent duplicate wait and then find it done.
 * Rows of each level are locked in key order, so concurrent writers wait for each other rather
 * than deadlock (and a deadlock Postgres still reports is retried like a lost connection).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The cell-hours, market-hours and market-days (UTC) some minutes fall in. */
export class TouchedHours {
  readonly #cells = new Map<string, { market_id: string; cell: string; hour_ms: number }>();
  readonly #hours = new Map<string, { market_id: string; hour_ms: number }>();
  readonly #days = new Map<string, { market_id: string; day_ms: number }>();

  add(market: string, cell: string, minuteMs: number): void {
    const hour = Math.floor(minuteMs / HOUR_MS) * HOUR_MS;
    const day = Math.floor(minuteMs / DAY_MS) * DAY_MS;
    this.#cells.set(`${market}|${cell}|${hour}`, { market_id: market, cell, hour_ms: hour });
    this.#hours.set(`${market}|${hour}`, { market_id: market, hour_ms: hour });
    this.#days.set(`${market}|${day}`, { market_id: market, day_ms: day });
  }

  get size(): number {
    return this.#cells.size;
  }

  cells(): BulkRows<"market_id" | "cell" | "hour_ms"> {
    return rowsOf({ market_id: "text", cell: "text", hour_ms: "float8" }, this.#cells.values());
  }

  hours(): BulkRows<"market_id" | "hour_ms"> {
    return rowsOf({ market_id: "text", hour_ms: "float8" }, this.#hours.values());
  }

  days(): BulkRows<"market_id" | "day_ms"> {
    return rowsOf({ market_id: "text", day_ms: "float8" }, this.#days.values());
  }

  /** The lock names of the market-days, in the order every writer takes them. */
  dayLocks(): string[] {
    return [...this.#days.keys()].map((k) => `rollup|${k}`).sort();
  }
}

function rowsOf<C extends string>(
  types: Readonly<Record<C, "text" | "float8">>,
  rows: Iterable<Readonly<Record<C, unknown>>>,
): BulkRows<C> {
  const out = new BulkRows(types);
  for (const row of rows) out.push(row);
  return out;
}

/**
 * Waits for, then holds until commit, the rollup lock of each market-day: whoever recomputes a
 * market's surge rollups for a day holds it. Take it before writing the minutes.
 */
export function lockMarketDays(touched: TouchedHours): SQL {
  const names = touched.dayLocks();
  return sql`select pg_advisory_xact_lock(hashtextextended(name, 0))
    from (select name from unnest(${sql.param(names)}::text[]) with ordinality as l(name, n) order by n) ordered`;
}

/** Sums again the surge columns of every cell-hour, market-hour and market-day the minutes touched, in that order. */
export function recomputeSurge(touched: TouchedHours): SQL[] {
  const cells = sql`insert into cell_hours (market_id, cell, hour, zone, cell_minutes, multiplier_sum, supply_sum,
      demand_sum, peak_multiplier)
    select m.market_id, m.cell, k.hour, m.zone, count(*), sum(m.multiplier::float8), sum(m.supply::float8),
      sum(m.demand::float8), max(m.peak_multiplier)
    from (select market_id, cell, to_timestamp(hour_ms / 1000) as hour from ${touched.cells().from("k")}) k
    join surge_minutes m on m.market_id = k.market_id and m.cell = k.cell
      and m.minute >= k.hour and m.minute < k.hour + interval '1 hour'
    group by m.market_id, m.cell, k.hour, m.zone
    order by 1, 2, 3, 4
    on conflict (market_id, cell, hour, zone) do update set ${surgeFromExcluded}`;
  const hours = sql`insert into market_hours (market_id, hour, cell_minutes, multiplier_sum, supply_sum, demand_sum,
      peak_multiplier)
    select c.market_id, c.hour, ${surgeSums("c")}
    from (select market_id, to_timestamp(hour_ms / 1000) as hour from ${touched.hours().from("k")}) k
    join cell_hours c on c.market_id = k.market_id and c.hour = k.hour
    group by 1, 2
    order by 1, 2
    on conflict (market_id, hour) do update set ${surgeFromExcluded}`;
  const days = sql`insert into market_days (market_id, day, cell_minutes, multiplier_sum, supply_sum, demand_sum,
      peak_multiplier)
    select k.market_id, k.day, ${surgeSums("h")}
    from (select market_id, to_timestamp(day_ms / 1000) as day from ${touched.days().from("k")}) k
    join market_hours h on h.market_id = k.market_id and h.hour >= k.day and h.hour < k.day + interval '1 day'
    group by 1, 2
    order by 1, 2
    on conflict (market_id, day) do update set ${surgeFromExcluded}`;
  return [cells, hours, days];
}

const surgeSums = (t: string) =>
  sql.raw(`sum(${t}.cell_minutes), sum(${t}.multiplier_sum), sum(${t}.supply_sum), sum(${t}.demand_sum),
      max(${t}.peak_multiplier)`);

const surgeFromExcluded = sql.raw(`cell_minutes = excluded.cell_minutes, multiplier_sum = excluded.multiplier_sum,
      supply_sum = excluded.supply_sum, demand_sum = excluded.demand_sum, peak_multiplier = excluded.peak_multiplier`);

/**
 * One statement: `changed` (a data-modifying statement's `RETURNING market_id, cell, zone, at,
 * quotes, verified, revenue_at_surge, revenue_at_one` — what each changed quote adds) and its
 * sums added to the quote columns of its cell-hour, market-hour and market-day.
 *
 * @example
 * addQuoteChanges(sql`update quotes set ... where verified_at is null
 *   returning market_id, cell, zone, issued_at as at, 0 as quotes, 1 as verified, total as revenue_at_surge, total_at_one as revenue_at_one`)
 */
export function addQuoteChanges(changed: SQL): SQL {
  const add = (table: string) =>
    sql.raw(`quotes = ${table}.quotes + excluded.quotes, verified = ${table}.verified + excluded.verified,
      revenue_at_surge = ${table}.revenue_at_surge + excluded.revenue_at_surge,
      revenue_at_one = ${table}.revenue_at_one + excluded.revenue_at_one`);
  const sums = sql.raw(
    "sum(quotes) as quotes, sum(verified) as verified, sum(revenue_at_surge) as revenue_at_surge, sum(revenue_at_one) as revenue_at_one",
  );
  const columns = sql.raw("quotes, verified, revenue_at_surge, revenue_at_one");
  return sql`with changed as (${changed}),
    per_cell as (
      select market_id, cell, date_trunc('hour', at, 'UTC') as hour, zone, ${sums}
      from changed group by 1, 2, 3, 4
    ),
    cells as (
      insert into cell_hours (market_id, cell, hour, zone, ${columns})
      select * from per_cell order by 1, 2, 3, 4
      on conflict (market_id, cell, hour, zone) do update set ${add("cell_hours")}
    ),
    hours as (
      insert into market_hours (market_id, hour, ${columns})
      select market_id, hour, ${sums} from per_cell group by 1, 2 order by 1, 2
      on conflict (market_id, hour) do update set ${add("market_hours")}
    ),
    days as (
      insert into market_days (market_id, day, ${columns})
      select market_id, date_trunc('day', hour, 'UTC'), ${sums} from per_cell group by 1, 2 order by 1, 2
      on conflict (market_id, day) do update set ${add("market_days")}
    )
    select count(*) as changed from changed`;
}

/**
 * Every rollup summed again from the raw rows, as one script (psql): to repair rollups, or to
 * build them for history loaded around the writer (the KPI benchmark generates a month in SQL).
 * Migration 0004 backfilled them with the same statements.
 */
export const REBUILD_ROLLUPS = `
truncate cell_hours, market_hours, market_days;
insert into cell_hours (market_id, cell, hour, zone, cell_minutes, multiplier_sum, supply_sum, demand_sum, peak_multiplier)
select market_id, cell, date_trunc('hour', minute, 'UTC'), zone, count(*), sum(multiplier::float8), sum(supply::float8),
  sum(demand::float8), max(peak_multiplier)
from surge_minutes group by 1, 2, 3, 4;
insert into cell_hours (market_id, cell, hour, zone, quotes, verified, revenue_at_surge, revenue_at_one)
select market_id, cell, date_trunc('hour', issued_at, 'UTC'), zone, count(*), count(verified_at),
  coalesce(sum(total) filter (where verified_at is not null), 0), coalesce(sum(total_at_one) filter (where verified_at is not null), 0)
from quotes group by 1, 2, 3, 4
on conflict (market_id, cell, hour, zone) do update set quotes = excluded.quotes, verified = excluded.verified,
  revenue_at_surge = excluded.revenue_at_surge, revenue_at_one = excluded.revenue_at_one;
insert into market_hours (market_id, hour, cell_minutes, multiplier_sum, supply_sum, demand_sum, peak_multiplier, quotes, verified,
  revenue_at_surge, revenue_at_one)
select market_id, hour, sum(cell_minutes), sum(multiplier_sum), sum(supply_sum), sum(demand_sum), max(peak_multiplier),
  sum(quotes), sum(verified), sum(revenue_at_surge), sum(revenue_at_one)
from cell_hours group by 1, 2;
insert into market_days (market_id, day, cell_minutes, multiplier_sum, supply_sum, demand_sum, peak_multiplier, quotes, verified,
  revenue_at_surge, revenue_at_one)
select market_id, date_trunc('day', hour, 'UTC'), sum(cell_minutes), sum(multiplier_sum), sum(supply_sum), sum(demand_sum),
  max(peak_multiplier), sum(quotes), sum(verified), sum(revenue_at_surge), sum(revenue_at_one)
from market_hours group by 1, 2;
`;
