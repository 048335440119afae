import { createRoute, z } from "@hono/zod-openapi";
import type { SQL } from "drizzle-orm";
import type { Context } from "hono";
import {
  DimensionSchema,
  heatmapAtSql,
  KPI_METRICS,
  kpiSql,
  MAX_RANGE_MS,
  MetricSchema,
  normaliseRow,
  type Row,
  reportSql,
  toCsv,
} from "../../../db/analytics";
import { isTimeZone, MarketIdSchema } from "../../../shared/pricing/market";
import { type AppEnv, readDatabase, router } from "../app";
import { requireMarket } from "../auth/access";
import { marketIndex } from "../market-index";
import { ProblemError, problemDoc } from "../problem";

/**
 * Analytics, the read side of history: KPIs per time bucket, the map at a past minute, custom
 * reports and CSV export, all from Postgres over the Neon HTTP driver. When Postgres is away
 * these answer 503 with Retry-After; pricing is unaffected.
 */

const Range = z.object({
  from: z.iso.datetime({ offset: true }).describe("start, inclusive"),
  to: z.iso.datetime({ offset: true }).describe("end, exclusive"),
});

const KpiQuery = Range.extend({
  bucket: z.enum(["minute", "hour", "day"]).default("hour"),
  timezone: z
    .string()
    .max(64)
    .refine((zone) => zone === "market" || isTimeZone(zone), "an IANA time zone, or market for the market's own")
    .default("UTC")
    .describe("the clock of hour and day buckets: UTC (the default), an IANA zone, or market for the market's own"),
  zone: z.string().max(20).optional(),
  cell: z.string().max(20).optional(),
  format: z.enum(["json", "csv"]).default("json"),
});

const ReportRequest = Range.extend({
  market: MarketIdSchema,
  dimensions: z.array(DimensionSchema).max(3).default([]),
  metrics: z.array(MetricSchema).min(1).max(12),
  filters: z
    .object({ zone: z.string().max(20), cell: z.string().max(20), product: z.string().max(32) })
    .partial()
    .default({}),
  format: z.enum(["json", "csv"]).default("json"),
});

const RowsSchema = z.object({
  market: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
});

export const analytics = router();

function range(from: string, to: string): { from: Date; to: Date } {
  const f = new Date(from);
  const t = new Date(to);
  if (t <= f) throw new ProblemError(422, { code: "range-reversed" });
  if (t.getTime() - f.getTime() > MAX_RANGE_MS)
    throw new ProblemError(422, { code: "range-too-long", params: { days: MAX_RANGE_MS / 86_400_000 } });
  return { from: f, to: t };
}

async function knownMarket(c: Context<AppEnv>, id: string): Promise<void> {
  if (!(await marketIndex(c.env)).market(id)) throw new ProblemError(404, { code: "market-unknown", params: { market: id } });
}

/** Runs a read; a database that cannot answer is a 503 the client may retry, never a 500. */
async function read(c: Context<AppEnv>, query: SQL): Promise<Row[]> {
  const rows = await readDatabase(c, query, { code: "history-unreachable", params: { what: "analytics" } });
  return rows.map(normaliseRow);
}

function answer(c: Context<AppEnv>, market: string, columns: string[], rows: Row[], format: "json" | "csv") {
  if (format === "csv") {
    return c.body(toCsv(rows, columns), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${market}-analytics.csv"`,
    });
  }
  return c.json({ market, columns, rows }, 200);
}

analytics.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/kpis",
    summary: "KPIs per time bucket: multipliers, supply, demand, quotes, conversion, revenue at surge and at 1.0",
    description: `Metrics: ${KPI_METRICS.join(", ")}. Multiplier, supply and demand average over active cell-minutes; revenue counts verified quotes. Hours and days are UTC unless \`timezone\` names another clock (\`market\`: the market's). format=csv exports.`,
    tags: ["analytics"],
    request: { params: z.object({ marketId: MarketIdSchema }), query: KpiQuery },
    responses: {
      200: {
        description: "Rows, one per bucket",
        content: { "application/json": { schema: RowsSchema }, "text/csv": { schema: z.string() } },
      },
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const q = c.req.valid("query");
    await knownMarket(c, marketId);
    const { from, to } = range(q.from, q.to);
    const market = (await marketIndex(c.env)).market(marketId);
    const timezone = q.timezone === "market" ? (market?.timezone ?? "UTC") : q.timezone;
    const rows = await read(c, kpiSql(marketId, from, to, q.bucket, { zone: q.zone, cell: q.cell }, timezone));
    return answer(c, marketId, [q.bucket, ...KPI_METRICS], rows, q.format);
  },
);

analytics.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/heatmap/at",
    summary: "The map of a market as it was at a past minute",
    tags: ["analytics"],
    request: { params: z.object({ marketId: MarketIdSchema }), query: z.object({ at: z.iso.datetime({ offset: true }) }) },
    responses: {
      200: { description: "Cells active that minute", content: { "application/json": { schema: RowsSchema } } },
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    await knownMarket(c, marketId);
    const at = new Date(c.req.valid("query").at);
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    const rows = await read(c, heatmapAtSql(marketId, minute));
    return c.json({ market: marketId, columns: ["cell", "multiplier", "supply", "demand"], rows }, 200);
  },
);

analytics.openapi(
  createRoute({
    method: "post",
    path: "/v1/analytics/reports",
    summary: "A custom report: whitelisted dimensions, metrics and filters over a time range",
    tags: ["analytics"],
    request: { body: { required: true, content: { "application/json": { schema: ReportRequest } } } },
    responses: {
      200: {
        description: "The report",
        content: { "application/json": { schema: RowsSchema }, "text/csv": { schema: z.string() } },
      },
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const r = c.req.valid("json");
    requireMarket(c, r.market);
    await knownMarket(c, r.market);
    const { from, to } = range(r.from, r.to);
    const rows = await read(
      c,
      reportSql({ market: r.market, from, to, dimensions: r.dimensions, metrics: r.metrics, filters: r.filters }),
    );
    return answer(c, r.market, [...r.dimensions, ...r.metrics], rows, r.format);
  },
);
