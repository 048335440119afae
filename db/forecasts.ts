import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { CalendarEntry, CalendarEntryInput } from "../shared/forecast/calendar";
import type { IntervalRow } from "../shared/forecast/history";
import type { Panel } from "../shared/forecast/panel";
import type { CellForecasts, ModelReport, TrainingOutcome } from "../shared/forecast/train";
import { atEpochMs, BulkRows } from "./bulk";
import type { PoolDatabase } from "./client";
import { calendarEntries, forecastModels } from "./schema";

/**
 * Forecasts' rows in Postgres: imported demand history, the calendar, the model registry and
 * the live model's latest forecasts (the last day of its backtest and the hours ahead). What the forecasts learn from is imported history plus the
 * demand events accepted live (`events`), summed per cell and interval.
 */

/**
 * Stores imported rows, one per (market, cell, at): a row already stored with the same counts is
 * left alone (counted unchanged), one with other counts is replaced (updated).
 */
export async function importIntervals(
  db: PoolDatabase,
  market: string,
  rows: readonly IntervalRow[],
): Promise<{ inserted: number; updated: number; unchanged: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const bulk = new BulkRows({ cell: "text", at: "float8", searches: "int4", requests: "int4", supply: "float8" });
  for (const r of rows) bulk.push(r);
  const result = await db.execute(sql`
    insert into demand_intervals (market_id, cell, at, searches, requests, supply)
    select ${market}, cell, ${atEpochMs("at")}, searches, requests, supply from ${bulk.from()}
    on conflict (market_id, at, cell) do update
      set searches = excluded.searches, requests = excluded.requests, supply = excluded.supply, imported_at = now()
      where (demand_intervals.searches, demand_intervals.requests, demand_intervals.supply)
        is distinct from (excluded.searches, excluded.requests, excluded.supply)
    returning (xmax = 0) as inserted`);
  const written = result.rows as Array<{ inserted: boolean }>;
  const inserted = written.filter((r) => r.inserted).length;
  const updated = written.length - inserted;
  return { inserted, updated, unchanged: rows.length - written.length };
}

/**
 * A market's demand per cell and interval over [from, to): imported history and live demand
 * events (a request weighs 1, a search `searchWeight`), one query, a row per cell holding its
 * non-empty intervals. With `cells`, only theirs.
 */
export function demandSql(
  market: string,
  from: number,
  to: number,
  intervalMinutes: number,
  searchWeight: number,
  cells?: readonly string[],
): SQL {
  const interval = intervalMinutes * 60_000;
  const some = cells === undefined ? sql`` : sql` and cell = any(${sql.param(cells)}::text[])`;
  return sql`
    select cell, array_agg(step order by step) as steps, array_agg(demand order by step) as demand from (
      select cell, floor((extract(epoch from at) * 1000 - ${from}::float8) / ${interval}::float8)::int as step,
        sum(requests + ${searchWeight}::float8 * searches)::float8 as demand
      from (
        select cell, at, requests, searches from demand_intervals
        where market_id = ${market} and at >= to_timestamp(${from}::float8 / 1000) and at < to_timestamp(${to}::float8 / 1000)${some}
        union all
        select cell, at, (status = 'request')::int, (status = 'search')::int from events
        where market_id = ${market} and kind = 'demand'
          and at >= to_timestamp(${from}::float8 / 1000) and at < to_timestamp(${to}::float8 / 1000)${some}
      ) r group by 1, 2
    ) b group by cell`;
}

/** The panel from `demandSql`'s rows. */
export function panelOf(
  rows: ReadonlyArray<Record<string, unknown>>,
  cells: readonly string[],
  from: number,
  to: number,
  intervalMinutes: number,
): Panel {
  const steps = Math.floor((to - from) / (intervalMinutes * 60_000));
  const index = new Map(cells.map((c, i) => [c, i]));
  const demand = cells.map(() => new Float32Array(steps));
  for (const row of rows) {
    const i = index.get(String(row.cell));
    if (i === undefined) continue;
    const at = row.steps as number[];
    const values = row.demand as number[];
    const series = demand[i] as Float32Array;
    at.forEach((t, k) => {
      if (t >= 0 && t < steps) series[t] = Number(values[k]);
    });
  }
  return { start: from, intervalMinutes, steps, cells, demand };
}

/**
 * Available drivers expected per cell in each of the `k` intervals from `from`: the mean of the
 * same slots over the four weeks before (seasonal naive of supply), from imported history and
 * the live per-minute record.
 */
export function supplySql(market: string, from: number, k: number, intervalMinutes: number): SQL {
  const interval = intervalMinutes * 60_000;
  const week = 7 * 86_400_000;
  return sql`
    select cell, step, avg(supply)::float8 as supply from (
      select cell, floor(mod((extract(epoch from at) * 1000 - ${from}::float8 + ${4 * week}::float8)::numeric, ${week}) / ${interval})::int as step, supply
      from (
        select cell, at, supply from demand_intervals
        where market_id = ${market} and at >= to_timestamp(${from - 4 * week}::float8 / 1000) and at < to_timestamp(${from}::float8 / 1000)
        union all
        select cell, minute as at, supply from surge_minutes
        where market_id = ${market} and minute >= to_timestamp(${from - 4 * week}::float8 / 1000) and minute < to_timestamp(${from}::float8 / 1000)
      ) r
    ) s where step < ${k} group by 1, 2`;
}

export async function saveCalendarEntry(
  db: PoolDatabase,
  market: string,
  entryId: string,
  input: CalendarEntryInput,
): Promise<{ created: boolean }> {
  const values = {
    marketId: market,
    entryId,
    from: new Date(input.from),
    to: new Date(input.to),
    body: input,
    updatedAt: new Date(),
  };
  const result = await db
    .insert(calendarEntries)
    .values(values)
    .onConflictDoUpdate({
      target: [calendarEntries.marketId, calendarEntries.entryId],
      set: { from: values.from, to: values.to, body: values.body, updatedAt: values.updatedAt },
    })
    .returning({ created: sql<boolean>`xmax = 0` });
  return { created: result[0]?.created === true };
}

/** Entries that overlap [from, to) (every entry when no range is given), earliest first. */
export function calendarSql(market: string, range?: { from: number; to: number }, entryId?: string): SQL {
  const within = range
    ? sql` and "to" > to_timestamp(${range.from}::float8 / 1000) and "from" < to_timestamp(${range.to}::float8 / 1000)`
    : sql``;
  const one = entryId === undefined ? sql`` : sql` and entry_id = ${entryId}`;
  return sql`select entry_id, body, updated_at from calendar_entries where market_id = ${market}${within}${one} order by "from", entry_id`;
}

/** A calendar row as the forecasts use it. */
export function entryOf(row: Record<string, unknown>): CalendarEntry {
  const body = (typeof row.body === "string" ? JSON.parse(row.body) : row.body) as CalendarEntryInput;
  const { from, to, ...rest } = body;
  return { id: String(row.entry_id), ...rest, from: Date.parse(from), to: Date.parse(to) };
}

export interface RegisteredModel {
  modelId: string;
  marketId: string;
  version: number;
  kind: string;
  trainedAt: string;
  intervalMinutes: number;
  dataFrom: string;
  dataTo: string;
  heldOutFrom: string;
  params: Record<string, number>;
  backtest: {
    horizons: Record<string, { wape: number; seasonalNaiveWape: number; dispersion: number }>;
    meanWape: number;
    units: number;
  };
  beatsSeasonalNaive: boolean;
  live: boolean;
}

/**
 * Records a training in the registry — every model it fitted, the next version of the market's
 * — marks its live model (and only it) live, and replaces the market's forecasts with the live
 * model's, in one transaction. `supply` is the expected drivers per cell and interval ahead.
 */
export async function registerTraining(
  db: PoolDatabase,
  market: string,
  outcome: TrainingOutcome,
  trainedAt: number,
  supply: ReadonlyMap<string, Float32Array>,
): Promise<RegisteredModel[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('forecast_models'), hashtext(${market}))`);
    const [last] = await tx
      .select({ version: forecastModels.version })
      .from(forecastModels)
      .where(eq(forecastModels.marketId, market))
      .orderBy(desc(forecastModels.version))
      .limit(1);
    const version = (last?.version ?? 0) + 1;
    const rows = outcome.models.map((m) => modelRow(market, version, m, outcome, trainedAt));
    await tx
      .update(forecastModels)
      .set({ live: false })
      .where(and(eq(forecastModels.marketId, market), eq(forecastModels.live, true)));
    await tx.insert(forecastModels).values(rows);
    const live = rows.find((r) => r.live) as (typeof rows)[number];
    await tx.execute(sql`delete from forecast_points where market_id = ${market}`);
    const points = new BulkRows({
      cell: "text",
      at: "float8",
      demand: "float8",
      low: "float8",
      high: "float8",
      supply: "float8",
    });
    // The last day's backtest (forecast vs actual) and the forecasts ahead: one row per cell and interval.
    pushPoints(points, outcome.recent, new Map());
    pushPoints(points, outcome.forecast, supply);
    if (points.length > 0)
      await tx.execute(sql`
        insert into forecast_points (market_id, cell, at, model_id, demand, low, high, supply)
        select ${market}, cell, ${atEpochMs("at")}, ${live.modelId}, demand, low, high, supply from ${points.from()}`);
    return rows.map(registered);
  });
}

function pushPoints(
  points: BulkRows<"cell" | "at" | "demand" | "low" | "high" | "supply">,
  f: CellForecasts,
  supply: ReadonlyMap<string, Float32Array>,
): void {
  const interval = f.intervalMinutes * 60_000;
  f.cells.forEach((cell, i) => {
    const expected = supply.get(cell);
    (f.demand[i] as Float32Array).forEach((demand, k) => {
      points.push({
        cell,
        at: f.from + k * interval,
        demand: round3(demand),
        low: round3(f.low[i]?.[k] ?? 0),
        high: round3(f.high[i]?.[k] ?? 0),
        supply: expected ? round3(expected[k] ?? 0) : null,
      });
    });
  });
}

function modelRow(market: string, version: number, m: ModelReport, outcome: TrainingOutcome, trainedAt: number) {
  return {
    modelId: `${market}.v${version}.${m.kind}`,
    marketId: market,
    version,
    kind: m.kind,
    trainedAt: new Date(trainedAt),
    intervalMinutes: outcome.intervalMinutes,
    dataFrom: new Date(outcome.dataFrom),
    dataTo: new Date(outcome.dataTo),
    heldOutFrom: new Date(outcome.heldOutFrom),
    params: m.params,
    backtest: {
      horizons: Object.fromEntries(
        Object.entries(m.horizons).map(([h, s]) => [
          h,
          { wape: s.wape, seasonalNaiveWape: outcome.seasonalNaive[h] ?? Number.NaN, dispersion: s.dispersion },
        ]),
      ),
      meanWape: m.meanWape,
      units: m.units,
    },
    beatsSeasonalNaive: m.beatsSeasonalNaive,
    live: m.kind === outcome.live,
  };
}

/** Every version of a market's models, newest first. */
export function modelsSql(market: string): SQL {
  return sql`select model_id, market_id, version, kind, trained_at, interval_minutes, data_from, data_to, held_out_from,
      params, backtest, beats_seasonal_naive, live
    from forecast_models where market_id = ${market} order by version desc, model_id`;
}

/** The live model of each market (for the cron that refreshes them). */
export function liveModelsSql(): SQL {
  return sql`select market_id, model_id, kind, trained_at from forecast_models where live`;
}

export function registered(row: Record<string, unknown>): RegisteredModel {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
  const json = <T>(v: unknown) => (typeof v === "string" ? JSON.parse(v) : v) as T;
  return {
    modelId: String(row.modelId ?? row.model_id),
    marketId: String(row.marketId ?? row.market_id),
    version: Number(row.version),
    kind: String(row.kind),
    trainedAt: iso(row.trainedAt ?? row.trained_at),
    intervalMinutes: Number(row.intervalMinutes ?? row.interval_minutes),
    dataFrom: iso(row.dataFrom ?? row.data_from),
    dataTo: iso(row.dataTo ?? row.data_to),
    heldOutFrom: iso(row.heldOutFrom ?? row.held_out_from),
    params: json(row.params),
    backtest: json(row.backtest),
    beatsSeasonalNaive: Boolean(row.beatsSeasonalNaive ?? row.beats_seasonal_naive),
    live: Boolean(row.live),
  };
}

/**
 * The market's stored forecasts overlapping [from, to) for some cells (all when `cells` is null),
 * in time order, with when they were made and the end of the data they were made from.
 */
export function forecastSql(
  market: string,
  cells: readonly string[] | null,
  from: number,
  to: number,
  intervalMinutes: number,
): SQL {
  const some = cells === null ? sql`` : sql` and p.cell = any(${sql.param(cells)}::text[])`;
  return sql`select p.cell, extract(epoch from p.at) * 1000 as at, p.model_id, m.trained_at,
      extract(epoch from m.data_to) * 1000 as data_to, p.demand, p.low, p.high, p.supply
    from forecast_points p join forecast_models m on m.model_id = p.model_id
    where p.market_id = ${market} and p.at > to_timestamp(${from - intervalMinutes * 60_000}::float8 / 1000)
      and p.at < to_timestamp(${to}::float8 / 1000)${some}
    order by p.cell, p.at`;
}

/** One cell's stored forecast as a series: demand per interval from `from`, and the drivers expected where known. */
export interface StoredSeries {
  cell: string;
  from: number;
  intervalMinutes: number;
  demand: number[];
  supply: number[];
}

/** `forecastSql`'s rows (in time order per cell) as one series per cell. */
export function seriesOf(rows: ReadonlyArray<Record<string, unknown>>, intervalMinutes: number): Map<string, StoredSeries> {
  const byCell = new Map<string, StoredSeries>();
  for (const r of rows) {
    const cell = String(r.cell);
    let f = byCell.get(cell);
    if (!f) {
      f = { cell, from: Number(r.at), intervalMinutes, demand: [], supply: [] };
      byCell.set(cell, f);
    }
    f.demand.push(Number(r.demand));
    if (r.supply !== null && r.supply !== undefined) f.supply.push(Number(r.supply));
  }
  return byCell;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
