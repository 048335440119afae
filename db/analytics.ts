import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";

/**
 * The read side of history: KPIs per market, zone or cell and time bucket, and custom reports
 * from whitelisted dimensions and metrics. Clients choose among names; SQL text only ever comes
 * from the tables below, with every value bound as a parameter.
 */

export type Bucket = "minute" | "hour" | "day";

/** Longest range one request may cover: a quarter, at any bucket. */
export const MAX_RANGE_MS = 92 * 24 * 3_600_000;

/** Report dimensions: group-by columns over the minutes and the quotes. */
const DIMENSIONS = {
  zone: { minutes: sql`zone`, quotes: sql`zone` },
  cell: { minutes: sql`cell`, quotes: sql`cell` },
  minute: { minutes: sql`minute`, quotes: sql`date_trunc('minute', issued_at)` },
  hour: { minutes: sql`date_trunc('hour', minute)`, quotes: sql`date_trunc('hour', issued_at)` },
  day: { minutes: sql`date_trunc('day', minute)`, quotes: sql`date_trunc('day', issued_at)` },
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

export const KPI_METRICS: Metric[] = [
  "avgMultiplier",
  "peakMultiplier",
  "avgSupply",
  "avgDemand",
  "ratio",
  "quotes",
  "verified",
  "conversion",
  "revenueAtSurge",
  "revenueAtOne",
];

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

/** KPIs per time bucket (and optionally one zone or cell): a report with the time as its dimension. */
export function kpiSql(market: string, from: Date, to: Date, bucket: Bucket, filters: ReportQuery["filters"]): SQL {
  return reportSql({ market, from, to, filters, metrics: KPI_METRICS, dimensions: [bucket] });
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
