import { createRoute, z } from "@hono/zod-openapi";
import { cellToLatLng } from "h3-js";
import type { Context } from "hono";
import { withAudit } from "../../../db/audit";
import { forecastSql, modelsSql, registered } from "../../../db/forecasts";
import { rankHotspots } from "../../../shared/forecast/hotspots";
import { NotEnoughHistory } from "../../../shared/forecast/train";
import { type Market, MarketIdSchema } from "../../../shared/pricing/market";
import { type AppEnv, readDatabase, router, withDatabase } from "../app";
import { audited } from "../audit";
import { type ForecastDatabase, hotspotForecasts, INTERVAL_MINUTES, trainMarket } from "../forecasting";
import { marketIndex } from "../market-index";
import { ProblemError, type ProblemText, problemDoc } from "../problem";

/**
 * Forecasts: training on demand (a cron does it too), the model registry, the live model's
 * forecasts per cell or for the whole market, and driver hotspots. All read Postgres: none of
 * them is on the pricing path (zones get their forecasts pushed by the training).
 */
export const forecasts = router();

const Params = z.object({ marketId: MarketIdSchema });
const UNAVAILABLE: ProblemText = { code: "history-unreachable", params: { what: "forecasts" } };

const HorizonBacktestSchema = z.object({ wape: z.number(), seasonalNaiveWape: z.number(), dispersion: z.number() });
const ModelSchema = z.object({
  modelId: z.string(),
  marketId: z.string(),
  version: z.number().int(),
  kind: z.string(),
  trainedAt: z.string(),
  intervalMinutes: z.number().int(),
  dataFrom: z.string(),
  dataTo: z.string(),
  heldOutFrom: z.string().describe("the held-out weeks start here: the backtest's rolling origins"),
  params: z.record(z.string(), z.number()),
  backtest: z.object({
    horizons: z.record(z.string(), HorizonBacktestSchema).describe('by horizon in minutes: "15", "30", "60"'),
    meanWape: z.number(),
    units: z.number().int(),
  }),
  beatsSeasonalNaive: z.boolean(),
  live: z.boolean(),
});
const TrainingSchema = z.object({
  modelId: z.string().describe("the live model after this training"),
  kind: z.string(),
  trainedAt: z.string(),
  intervalMinutes: z.number().int(),
  backtest: z.object({ horizons: z.record(z.string(), HorizonBacktestSchema) }),
  promoted: z.boolean().describe("a model beat seasonal naive at every horizon and serves; false: seasonal naive serves"),
  models: z.array(ModelSchema).describe("every model this training fitted, with its backtest"),
  zones: z.number().int().describe("zones the forecasts were pushed to"),
});
const PointSchema = z.object({
  at: z.string(),
  demand: z.number(),
  low: z.number(),
  high: z.number(),
  supply: z.number().optional(),
});
const ForecastSchema = z.object({
  market: z.string(),
  modelId: z.string().nullable(),
  generatedAt: z.string().nullable(),
  intervalMinutes: z.number().int(),
  series: z.array(z.object({ cell: z.string(), points: z.array(PointSchema) })),
});
const HotspotsSchema = z.object({
  market: z.string(),
  modelId: z.string().nullable(),
  generatedAt: z.string().nullable(),
  horizonMinutes: z.number().int(),
  cells: z.array(
    z.object({
      cell: z.string(),
      lat: z.number(),
      lng: z.number(),
      expectedDemand: z.number().describe("demand expected in the cell over the horizon"),
      expectedSupply: z.number().describe("available drivers expected"),
      shortage: z.number().describe("drivers short: expected demand (as the zone counts it) per target ratio, less supply"),
    }),
  ),
});

/** The market of a path, or a 404. */
export function marketOf(index: { market(id: string): Market | undefined }, id: string): Market {
  const market = index.market(id);
  if (!market) throw new ProblemError(404, { code: "market-unknown", params: { market: id } });
  return market;
}

forecasts.openapi(
  createRoute({
    method: "post",
    path: "/v1/markets/{marketId}/forecasts/train",
    summary: "Fit and backtest every model now on the market's history; promote one only if it beats seasonal naive",
    description:
      "Reads the last `weeks` (default 8) of history, holds out the final two, and scores each model by WAPE at 15, 30 and 60 minutes in a rolling-origin backtest. A cron does this hourly.",
    tags: ["forecasts"],
    request: {
      params: Params,
      body: {
        required: false,
        content: { "application/json": { schema: z.object({ weeks: z.number().int().min(3).max(12).optional() }) } },
      },
    },
    responses: {
      200: { description: "The live model after training", content: { "application/json": { schema: TrainingSchema } } },
      404: problemDoc,
      422: { ...problemDoc, description: "Not enough history (at least 3 weeks)" },
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
    const market = marketOf(await marketIndex(c.env), marketId);
    const entry = audited(c, "forecasts.train", marketId, marketId, { weeks: body.weeks ?? null });
    const db: ForecastDatabase = {
      read: (query) => readDatabase(c, query, UNAVAILABLE),
      write: (work) => withDatabase(c, (pool) => withAudit(pool, entry, work)),
    };
    let training: Awaited<ReturnType<typeof trainMarket>>;
    try {
      training = await trainMarket(c.env, db, market, { weeks: body.weeks });
    } catch (err) {
      if (err instanceof NotEnoughHistory)
        throw new ProblemError(422, { code: "not-enough-history", params: { weeks: Math.floor(err.weeks * 10) / 10 } });
      throw err;
    }
    const { live, models, outcome, zones } = training;
    return c.json(
      {
        modelId: live.modelId,
        kind: live.kind,
        trainedAt: live.trainedAt,
        intervalMinutes: live.intervalMinutes,
        backtest: { horizons: live.backtest.horizons },
        promoted: outcome.promoted,
        models,
        zones,
      },
      200,
    );
  },
);

forecasts.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/models",
    summary: "Every model version of the market with its backtest, and which one is live",
    tags: ["forecasts"],
    request: { params: Params },
    responses: {
      200: {
        description: "Newest first",
        content: {
          "application/json": {
            schema: z.object({ market: z.string(), live: z.string().nullable(), models: z.array(ModelSchema) }),
          },
        },
      },
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    marketOf(await marketIndex(c.env), marketId);
    const models = (await readDatabase(c, modelsSql(marketId), UNAVAILABLE)).map(registered);
    return c.json({ market: marketId, live: models.find((m) => m.live)?.modelId ?? null, models }, 200);
  },
);

const ForecastQuery = z.object({
  cells: z.string().max(2100).optional().describe("comma-separated H3 cells of the market (at most 100)"),
  level: z.enum(["cell", "market"]).default("cell").describe("market: one series, the sum of every cell"),
  horizon: z.coerce.number().int().min(15).max(240).default(60).describe("minutes ahead"),
});

forecasts.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/forecast",
    summary: "The live model's forecast per cell (or for the market) over the next minutes, with an 80 % band",
    tags: ["forecasts"],
    request: { params: Params, query: ForecastQuery },
    responses: {
      200: { description: "Series", content: { "application/json": { schema: ForecastSchema } } },
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const q = c.req.valid("query");
    const index = await marketIndex(c.env);
    marketOf(index, marketId);
    const known = index.cellsOf(marketId) ?? new Set<string>();
    const cells = q.cells ? [...new Set(q.cells.split(",").map((s) => s.trim()))].filter(Boolean) : null;
    if (cells && cells.length > 100) throw new ProblemError(422, { code: "cells-too-many", params: { max: 100 } });
    const unknown = cells?.find((cell) => !known.has(cell));
    if (unknown) throw new ProblemError(422, { code: "cell-not-in-market", params: { cell: unknown, market: marketId } });
    const { rows, now, to } = await points(c, marketId, q.level === "market" ? null : cells, q.horizon);
    const first = rows[0];
    const byCell = new Map<string, z.infer<typeof PointSchema>[]>();
    for (const r of rows) {
      const at = Number(r.at);
      if (at + INTERVAL_MINUTES * 60_000 <= now || at >= to) continue;
      const cell = String(r.cell);
      let list = byCell.get(cell);
      if (!list) {
        list = [];
        byCell.set(cell, list);
      }
      list.push({
        at: new Date(at).toISOString(),
        demand: Number(r.demand),
        low: Number(r.low),
        high: Number(r.high),
        ...(r.supply === null || r.supply === undefined ? {} : { supply: Number(r.supply) }),
      });
    }
    const series =
      q.level === "market"
        ? [{ cell: marketId, points: marketPoints([...byCell.values()]) }]
        : [...byCell].map(([cell, p]) => ({ cell, points: p }));
    return c.json(
      {
        market: marketId,
        modelId: first ? String(first.model_id) : null,
        generatedAt: first ? isoOf(first.trained_at) : null,
        intervalMinutes: INTERVAL_MINUTES,
        series,
      },
      200,
    );
  },
);

forecasts.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/hotspots",
    summary: "Cells ranked by expected shortage of drivers over the next 15–60 minutes (for driver apps)",
    tags: ["forecasts"],
    request: {
      params: Params,
      query: z.object({
        horizon: z.coerce.number().int().min(15).max(60).default(30).describe("minutes ahead"),
        limit: z.coerce.number().int().min(1).max(100).default(20),
      }),
    },
    responses: {
      200: {
        description: "Cells, most short first (only those short of drivers)",
        content: { "application/json": { schema: HotspotsSchema } },
      },
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const q = c.req.valid("query");
    const market = marketOf(await marketIndex(c.env), marketId);
    const { rows, now } = await points(c, marketId, null, q.horizon);
    // Ranked as the training's published hotspots are (`rankHotspots`), placed for a driver's map.
    const ranked = rankHotspots(hotspotForecasts(rows), market.surge, now, q.horizon, q.limit).map((h) => {
      const [lat, lng] = cellToLatLng(h.cell);
      return {
        cell: h.cell,
        lat: round5(lat),
        lng: round5(lng),
        expectedDemand: h.expectedDemand,
        expectedSupply: h.expectedSupply,
        shortage: h.shortage,
      };
    });
    const first = rows[0];
    return c.json(
      {
        market: marketId,
        modelId: first ? String(first.model_id) : null,
        generatedAt: first ? isoOf(first.trained_at) : null,
        horizonMinutes: q.horizon,
        cells: ranked,
      },
      200,
    );
  },
);

/** Stored forecast points overlapping [now, now + horizon). */
async function points(c: Context<AppEnv>, market: string, cells: string[] | null, horizonMinutes: number) {
  const now = Date.now();
  const to = now + horizonMinutes * 60_000;
  const rows = await readDatabase(c, forecastSql(market, cells, now, to, INTERVAL_MINUTES), UNAVAILABLE);
  return { rows, now, to };
}

/** The market as one series: demand summed; band half-widths added in quadrature (cells' errors independent). */
function marketPoints(series: z.infer<typeof PointSchema>[][]): z.infer<typeof PointSchema>[] {
  const byAt = new Map<string, { demand: number; below: number; above: number; supply: number; hasSupply: boolean }>();
  for (const points of series)
    for (const p of points) {
      const a = byAt.get(p.at) ?? { demand: 0, below: 0, above: 0, supply: 0, hasSupply: false };
      a.demand += p.demand;
      a.below += (p.demand - p.low) ** 2;
      a.above += (p.high - p.demand) ** 2;
      if (p.supply !== undefined) {
        a.supply += p.supply;
        a.hasSupply = true;
      }
      byAt.set(p.at, a);
    }
  return [...byAt]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([at, a]) => ({
      at,
      demand: round3(a.demand),
      low: round3(Math.max(0, a.demand - Math.sqrt(a.below))),
      high: round3(a.demand + Math.sqrt(a.above)),
      ...(a.hasSupply ? { supply: round3(a.supply) } : {}),
    }));
}

export function isoOf(v: unknown): string {
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
function round5(x: number): number {
  return Math.round(x * 100_000) / 100_000;
}
