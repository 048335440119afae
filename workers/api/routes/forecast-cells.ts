import { createRoute, z } from "@hono/zod-openapi";
import { demandSql, forecastSql, seriesOf } from "../../../db/forecasts";
import { forecastVersusActual } from "../../../shared/forecast/actuals";
import { rankHotspots } from "../../../shared/forecast/hotspots";
import { AHEAD_INTERVALS, RECENT_HORIZON_MINUTES } from "../../../shared/forecast/train";
import { MarketIdSchema } from "../../../shared/pricing/market";
import { expectedDemand } from "../../../shared/pricing/policy";
import { readDatabase, router } from "../app";
import { INTERVAL_MINUTES } from "../forecasting";
import { marketIndex } from "../market-index";
import { ProblemError, type ProblemText, problemDoc } from "../problem";
import { isoOf, marketOf } from "./forecasts";

/**
 * Forecasts cell by cell, for the console: every cell's expectations over the next minutes (the
 * map's forecast layer) and one cell's forecast beside the demand that came (its chart). Both
 * read the live model's stored forecasts; neither is on the pricing path.
 */
export const forecastCells = router();

const Params = z.object({ marketId: MarketIdSchema });
const UNAVAILABLE: ProblemText = { code: "history-unreachable", params: { what: "forecasts" } };

const ExpectationsSchema = z.object({
  market: z.string(),
  modelId: z.string().nullable(),
  generatedAt: z.string().nullable().describe("when the live model was trained"),
  horizonMinutes: z.number().int(),
  cells: z.array(
    z.object({
      cell: z.string(),
      expectedDemand: z.number().describe("demand expected in the cell over the horizon"),
      shortage: z.number().describe("drivers short, as `GET …/hotspots` ranks them; 0 where none are"),
    }),
  ),
});

const ActualsSchema = z.object({
  market: z.string(),
  cell: z.string(),
  modelId: z.string().nullable(),
  generatedAt: z.string().nullable().describe("when the live model was trained"),
  intervalMinutes: z.number().int(),
  aheadFrom: z
    .string()
    .nullable()
    .describe("the end of the data the live model learnt from: from here, the forecasts it made then; before, its backtest"),
  backtestHorizonMinutes: z.number().int().describe("how far ahead each backtest forecast (before `aheadFrom`) was made"),
  wape: z
    .number()
    .nullable()
    .describe("Σ|actual − forecast| / Σ actual over the intervals that have both; null when no demand came"),
  points: z.array(
    z.object({
      at: z.string().describe("the interval's start"),
      actual: z.number().nullable().describe("demand that came (requests and weighted searches); null until the interval ends"),
      forecast: z.number().nullable(),
      low: z.number().nullable().describe("the forecast's 80 % band"),
      high: z.number().nullable(),
    }),
  ),
});

forecastCells.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/forecast/cells",
    summary: "Every cell's expected demand and drivers short over the next 15 to 60 minutes (the console's forecast layer)",
    description:
      "Every cell the live model forecasts, short of drivers or not; shortages as `GET …/hotspots` ranks them. A market without a trained model has none.",
    tags: ["forecasts"],
    request: {
      params: Params,
      query: z.object({ horizon: z.coerce.number().int().min(15).max(60).default(30).describe("minutes ahead") }),
    },
    responses: {
      200: { description: "Cells, in no order", content: { "application/json": { schema: ExpectationsSchema } } },
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const { horizon } = c.req.valid("query");
    const market = marketOf(await marketIndex(c.env), marketId);
    const now = Date.now();
    const rows = await readDatabase(c, forecastSql(marketId, null, now, now + horizon * 60_000, INTERVAL_MINUTES), UNAVAILABLE);
    const byCell = seriesOf(rows, INTERVAL_MINUTES);
    const short = new Map(
      rankHotspots(byCell.values(), market.surge, now, horizon, Number.POSITIVE_INFINITY).map((h) => [h.cell, h]),
    );
    const first = rows[0];
    return c.json(
      {
        market: marketId,
        modelId: first ? String(first.model_id) : null,
        generatedAt: first ? isoOf(first.trained_at) : null,
        horizonMinutes: horizon,
        cells: [...byCell.values()].map((f) => {
          const hot = short.get(f.cell);
          const series = { from: f.from, intervalMinutes: f.intervalMinutes, demand: f.demand };
          const expected =
            hot?.expectedDemand ?? expectedDemand({ demand: 0, horizonMinutes: horizon, modelId: "", series }, now, horizon);
          return { cell: f.cell, expectedDemand: Math.round(expected * 1000) / 1000, shortage: hot?.shortage ?? 0 };
        }),
      },
      200,
    );
  },
);

forecastCells.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/forecast/actuals",
    summary: "A cell's forecast beside the demand that came, per interval, over the last hours and the hours ahead",
    description:
      "Before `aheadFrom` the forecast is the live model's backtest, each made `backtestHorizonMinutes` ahead with only what was known then (as its WAPE was scored); from it, the forecasts the model made when it was trained. Actual demand is imported history plus the demand events accepted, in the forecasts' units.",
    tags: ["forecasts"],
    request: {
      params: Params,
      query: z.object({
        cell: z.string().max(20).describe("an H3 cell of the market"),
        hours: z.coerce.number().int().min(1).max(72).default(24).describe("hours of the past to compare"),
      }),
    },
    responses: {
      200: { description: "Points, oldest first", content: { "application/json": { schema: ActualsSchema } } },
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const q = c.req.valid("query");
    const index = await marketIndex(c.env);
    const market = marketOf(index, marketId);
    if (!index.cellsOf(marketId)?.has(q.cell))
      throw new ProblemError(422, { code: "cell-not-in-market", params: { cell: q.cell, market: marketId } });
    const interval = INTERVAL_MINUTES * 60_000;
    // Actual demand in whole intervals only: the one under way would read as a drop.
    const done = Math.floor(Date.now() / interval) * interval;
    const from = done - q.hours * 3_600_000;
    const [demand, stored] = await Promise.all([
      readDatabase(c, demandSql(marketId, from, done, INTERVAL_MINUTES, market.surge.searchWeight, [q.cell]), UNAVAILABLE),
      // A training's forecasts end AHEAD_INTERVALS after the data it learnt from, which ended by now.
      readDatabase(
        c,
        forecastSql(marketId, [q.cell], from, done + (AHEAD_INTERVALS + 1) * interval, INTERVAL_MINUTES),
        UNAVAILABLE,
      ),
    ]);
    const steps = (demand[0]?.steps ?? []) as number[];
    const values = (demand[0]?.demand ?? []) as number[];
    const compared = forecastVersusActual(
      from,
      done,
      INTERVAL_MINUTES,
      new Map(steps.map((step, i) => [Number(step), Number(values[i])])),
      stored.map((r) => ({ at: Number(r.at), demand: Number(r.demand), low: Number(r.low), high: Number(r.high) })),
    );
    const first = stored[0];
    return c.json(
      {
        market: marketId,
        cell: q.cell,
        modelId: first ? String(first.model_id) : null,
        generatedAt: first ? isoOf(first.trained_at) : null,
        intervalMinutes: INTERVAL_MINUTES,
        aheadFrom: first ? new Date(Number(first.data_to)).toISOString() : null,
        backtestHorizonMinutes: RECENT_HORIZON_MINUTES,
        ...compared,
      },
      200,
    );
  },
);
