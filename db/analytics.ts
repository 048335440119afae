import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";

/**
 * The read side of history: KPIs per market, zone or cell and time bucket, and custom reports
 * from whitelisted dimensions and metrics. Clients choose among names; SQL text only ever comes
 * from the tables below, with every value bound as a parameter. KPIs' hours and days are UTC
 * unless a time zone is asked for (the console asks for the market's); reports' are UTC.
 *
 * KPIs read the rollups (`rollups.ts`) for every whole hour and day of their range, and the
 * minutes and quotes themselves only for what does not fall on a whole hour: a month of a
 * market's daily KPIs reads 30 rows. Reports group raw rows by any dimension.
 */

export type Bucket = "minute" | "hour" | "day";

/** Longest range one request may cover: a quarter, at any bucket. */
export const MAX_RANGE_MS = 92 * 24 * 3_600_000;

/** Report dimensions: group-by columns over the minutes and the quotes. */
const DIMENSIONS = {
  zone: { minutes: sql`zone`, quotes: sql`zone` },
  cell: { minutes: sql`cell`, quotes: sql`cell` },
  minute: { minutes: sql`minute`, quotes: sql`date_trunc('minute', issued_at)` },
  hour: { minutes: sql`date_trunc('hour', minute, 'UTC')`, quotes: sql`date_trunc('hour', issued_at, 'UTC')` },
  day: { minutes: sql`date_trunc('day', minute, 'UTC')`, quotes: sql`date_trunc('day', issued_at, 'UTC')` },
} as const;
export type Dimension = keyof typeof DIMENSIONS;

/** Report metrics: where each comes from and how it aggregates. */
const METRICS = {
  avgMultiplier: { from: "minutes", expr: sql`avg(multiplier)` },
  peakMultiplier: { from: "minutes", expr: sql`max(peak_multiplier)` },
  avgSupply: { from: "minutes", expr: sql`avg(supply)` },
  avgDemand: { from: "minutes", expr: sql`avg(demand)` },
  ratio: { from: "minutes", expr: sql`sum(demand) / nullif(sum(supply), 0)` },
  activeCellMinutes: { from: "minutes", expr: sql`count(*)` },
  quotes: { from: "quotes", expr: sql`count(*)` },
  verified: { from: "quotes", expr: sql`count(verified_at)` },
  conversion: { from: "quotes", expr: sql`count(verified_at)::float8 / nullif(count(*), 0)` },
  revenueAtSurge: { from: "quotes", expr: sql`coalesce(sum(total) filter (where verified_at is not null), 0)` },
  revenueAtOne: { from: "quotes", expr: sql`coalesce(sum(total_at_one) filter (where verified_at is not null), 0)` },
} as const;
export type Metric = keyof typeof METRICS;

export const MetricSchema = z.enum(Object.keys(METRICS) as [Metric, ...Metric[]]);
export const DimensionSchema = z.enum(Object.keys(DIMENSIONS) as [Dimension, ...Dimension[]]);

/**
 * The KPIs, each from parts that hold the sums every rollup has (`rollupColumns` in schema.ts):
 * averages over active cell-minutes, revenue of verified quotes.
 */
const KPI_FROM_SUMS = {
  avgMultiplier: sql`sum(multiplier_sum) / nullif(sum(cell_minutes), 0)`,
  peakMultiplier: sql`max(peak_multiplier)`,
  avgSupply: sql`sum(supply_sum) / nullif(sum(cell_minutes), 0)`,
  avgDemand: sql`sum(demand_sum) / nullif(sum(cell_minutes), 0)`,
  ratio: sql`sum(demand_sum) / nullif(sum(supply_sum), 0)`,
  quotes: sql`sum(quotes)`,
  verified: sql`sum(verified)`,
  conversion: sql`sum(verified)::float8 / nullif(sum(quotes), 0)`,
  revenueAtSurge: sql`sum(revenue_at_surge)`,
  revenueAtOne: sql`sum(revenue_at_one)`,
} satisfies Partial<Record<Metric, SQL>>;

export const KPI_METRICS = Object.keys(KPI_FROM_SUMS) as Array<keyof typeof KPI_FROM_SUMS>;

export interface ReportQuery {
  market: string;
  from: Date;
  to: Date;
  dimensions: Dimension[];
  metrics: Metric[];
  filters: { zone?: string; cell?: string; product?: string };
}

export type Row = Record<string, string | number | null>;

/**
 * Builds the SQL of a report: one grouped query per source (minutes, quotes), joined on the
 * dimensions. Metrics that need the other source get null where it has no rows.
 */
export function reportSql(q: ReportQuery): SQL {
  const sources = { minutes: [] as Metric[], quotes: [] as Metric[] };
  for (const m of q.metrics) sources[METRICS[m].from].push(m);
  const dims = q.dimensions;
  const part = (source: "minutes" | "quotes") => {
    const table = source === "minutes" ? sql`surge_minutes` : sql`quotes`;
    const time = source === "minutes" ? sql`minute` : sql`issued_at`;
    const where: SQL[] = [
      sql`market_id = ${q.market}`,
      sql`${time} >= ${q.from.toISOString()}`,
      sql`${time} < ${q.to.toISOString()}`,
    ];
    if (q.filters.zone) where.push(sql`zone = ${q.filters.zone}`);
    if (q.filters.cell) where.push(sql`cell = ${q.filters.cell}`);
    if (q.filters.product && source === "quotes") where.push(sql`product = ${q.filters.product}`);
    const select = [
      ...dims.map((d) => sql`${DIMENSIONS[d][source]} as ${sql.identifier(d)}`),
      ...sources[source].map((m) => sql`${METRICS[m].expr} as ${sql.identifier(m)}`),
    ];
    const groupBy =
      dims.length > 0
        ? sql` group by ${sql.join(
            dims.map((_, i) => sql.raw(String(i + 1))),
            sql`, `,
          )}`
        : sql``;
    return sql`select ${sql.join(select, sql`, `)} from ${table} where ${sql.join(where, sql` and `)}${groupBy}`;
  };
  const used = (["minutes", "quotes"] as const).filter((s) => sources[s].length > 0);
  const order =
    dims.length > 0
      ? sql` order by ${sql.join(
          dims.map((d) => sql.identifier(d)),
          sql`, `,
        )}`
      : sql``;
  if (used.length === 1) {
    const only = used[0] as "minutes" | "quotes";
    return sql`select * from (${part(only)}) r${order}`;
  }
  // Dimensions are never null, so an equi-join on them (USING) pairs the two sides; with none, each side is one row.
  const join =
    dims.length > 0
      ? sql`full outer join (${part("quotes")}) q using (${sql.join(
          dims.map((d) => sql.identifier(d)),
          sql`, `,
        )})`
      : sql`cross join (${part("quotes")}) q`;
  const columns = [
    ...dims.map((d) => sql.identifier(d)),
    ...q.metrics.map((m) => sql`${sql.raw(METRICS[m].from === "minutes" ? "m" : "q")}.${sql.identifier(m)}`),
  ];
  return sql`select ${sql.join(columns, sql`, `)} from (${part("minutes")}) m ${join}${order}`;
}

/** Where each stretch of a KPI range is read from: raw minutes and quotes, hourly or daily rollups. */
export interface KpiSource {
  source: "raw" | "hours" | "days";
  from: number;
  to: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Splits [from, to) so that whole days (when the KPIs are daily and of the whole market) and
 * whole hours come from rollups, and only the ragged ends from raw rows. Pure, for the tests.
 *
 * @example
 * kpiSources(Date.parse("2026-11-01T10:30Z"), Date.parse("2026-11-03T00:00Z"), "day", false)
 * // → raw 10:30–11:00, hours 11:00–00:00, days Nov 2
 */
export function kpiSources(from: number, to: number, bucket: Bucket, filtered: boolean): KpiSource[] {
  const fromHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const toHour = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (bucket === "minute" || fromHour >= toHour) return [{ source: "raw", from, to }];
  const out: KpiSource[] = [];
  const add = (source: KpiSource["source"], a: number, b: number) => {
    if (a < b) out.push({ source, from: a, to: b });
  };
  add("raw", from, fromHour);
  const fromDay = Math.ceil(fromHour / DAY_MS) * DAY_MS;
  const toDay = Math.floor(toHour / DAY_MS) * DAY_MS;
  if (bucket === "day" && !filtered && fromDay < toDay) {
    add("hours", fromHour, fromDay);
    add("days", fromDay, toDay);
    add("hours", toDay, toHour);
  } else add("hours", fromHour, toHour);
  add("raw", toHour, to);
  return out;
}

const SUMMED = sql.raw(`sum(cell_minutes) as cell_minutes, sum(multiplier_sum) as multiplier_sum, sum(supply_sum) as supply_sum,
  sum(demand_sum) as demand_sum, max(peak_multiplier) as peak_multiplier, sum(quotes) as quotes, sum(verified) as verified,
  sum(revenue_at_surge) as revenue_at_surge, sum(revenue_at_one) as revenue_at_one`);

/**
 * KPIs per time bucket (and optionally one zone or cell): each stretch of the range
 * ({@link kpiSources}) summed per bucket from its source, the parts added up, the metrics
 * divided out. A bucket appears when it has minutes or quotes.
 */
export function kpiSql(
  market: string,
  from: Date,
  to: Date,
  bucket: Bucket,
  filters: ReportQuery["filters"],
  timezone = "UTC",
): SQL {
  const unit = sql.raw(`'${bucket}'`);
  const filtered = Boolean(filters.zone || filters.cell);
  // Days of another zone than UTC are summed from the hourly rollups (the daily ones are UTC days).
  const utcDays = timezone === "UTC";
  const where = (time: string, a: number, b: number, filterable: boolean) => {
    const column = sql.identifier(time);
    const conditions = [
      sql`market_id = ${market}`,
      sql`${column} >= ${new Date(a).toISOString()}`,
      sql`${column} < ${new Date(b).toISOString()}`,
    ];
    if (filterable && filters.zone) conditions.push(sql`zone = ${filters.zone}`);
    if (filterable && filters.cell) conditions.push(sql`cell = ${filters.cell}`);
    return sql.join(conditions, sql` and `);
  };
  const parts = kpiSources(from.getTime(), to.getTime(), bucket, filtered || !utcDays).flatMap(({ source, from: a, to: b }) => {
    if (source === "days")
      return [sql`select day as bucket, ${SUMMED} from market_days where ${where("day", a, b, false)} group by 1`];
    if (source === "hours") {
      const table = filtered ? sql`cell_hours` : sql`market_hours`;
      return [
        sql`select date_trunc(${unit}, hour, ${timezone}) as bucket, ${SUMMED} from ${table} where ${where("hour", a, b, filtered)} group by 1`,
      ];
    }
    return [
      sql`select date_trunc(${unit}, minute, ${timezone}) as bucket, count(*) as cell_minutes, sum(multiplier::float8) as multiplier_sum,
        sum(supply::float8) as supply_sum, sum(demand::float8) as demand_sum, max(peak_multiplier) as peak_multiplier,
        0 as quotes, 0 as verified, 0 as revenue_at_surge, 0 as revenue_at_one
        from surge_minutes where ${where("minute", a, b, true)} group by 1`,
      sql`select date_trunc(${unit}, issued_at, ${timezone}) as bucket, 0, 0, 0, 0, null::real, count(*), count(verified_at),
        coalesce(sum(total) filter (where verified_at is not null), 0), coalesce(sum(total_at_one) filter (where verified_at is not null), 0)
        from quotes where ${where("issued_at", a, b, true)} group by 1`,
    ];
  });
  const metrics = KPI_METRICS.map((m) => sql`${KPI_FROM_SUMS[m]} as ${sql.identifier(m)}`);
  return sql`select bucket as ${sql.identifier(bucket)}, ${sql.join(metrics, sql`, `)}
    from (${sql.join(parts, sql` union all `)}) parts group by bucket order by bucket`;
}

/** The map of a market as it was at one minute. */
export function heatmapAtSql(market: string, minute: Date): SQL {
  return sql`select cell, multiplier, supply, demand from surge_minutes where market_id = ${market} and minute = ${minute.toISOString()} order by cell`;
}

/** Numbers come back from Postgres as text for bigint and numeric; reports answer numbers. */
export function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === undefined) out[k] = null;
    else if (v instanceof Date) out[k] = v.toISOString();
    else if (typeof v === "number") out[k] = v;
    else if (typeof v === "string" && k in METRICS) out[k] = Number(v);
    else out[k] = String(v);
  }
  return out;
}

/** CSV per RFC 4180: a header, then one line per row. */
export function toCsv(rows: readonly Row[], columns: readonly string[]): string {
  const cell = (v: string | number | null) => {
    if (v === null) return "";
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c] ?? null)).join(","))].join("\r\n")}\r\n`;
}
