import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { withAudit } from "../../../db/audit";
import { experimentSql, experimentsSql, saveExperiment, stopExperiment } from "../../../db/experiments";
import {
  AssignmentQuerySchema,
  AssignmentSchema,
  ExperimentIdSchema,
  ExperimentInputSchema,
  ExperimentSchema,
} from "../../../shared/contracts/experiments";
import { inBurnIn, labelAt, type StoredExperiment, span, statusAt, windowAt } from "../../../shared/experiments/assignment";
import { ExpiringMap } from "../../../shared/kit/expiring-map";
import { MarketIdSchema } from "../../../shared/pricing/market";
import { type AppEnv, readDatabase, router, withDatabase } from "../app";
import { audited } from "../audit";
import { requireMarket } from "../auth/access";
import { pushAssignments, resultsOf, stopIfBreached } from "../experiments";
import { marketIndex } from "../market-index";
import { ProblemError, type ProblemText, problemDoc } from "../problem";

/**
 * Pricing experiments, owned by the operators of their market: define (PUT, until it starts),
 * ask who is in which arm (assignment), read the results computed from Postgres, stop. The
 * zones learn each window's arms from `../experiments.ts`.
 */
export const experiments = router();

const Params = z.object({ experimentId: ExperimentIdSchema });
const UNAVAILABLE: ProblemText = { code: "history-unreachable", params: { what: "experiments" } };

/** Metrics that shadow mode cannot tell apart: every variant was charged the market's price. */
const NOT_IN_SHADOW = new Set(["conversion", "completion", "quotes", "revenueAtOne"]);

/** Each experiment read in this isolate, good for 5 s (assignments are asked per ride; a stop reaches them within that). */
const cached = new ExpiringMap<string, StoredExperiment>({ maxEntries: 1_000, ttlMs: 5_000 });

/** An experiment as answered: everything but its hash key, with where it is in its life. */
function answer(e: StoredExperiment, now = Date.now()) {
  const { salt: _, ...shown } = e;
  return { ...shown, status: statusAt(e, now) };
}

async function load(c: Context<AppEnv>, id: string, fresh = false): Promise<StoredExperiment> {
  const known = fresh ? undefined : cached.get(id);
  if (known) {
    requireMarket(c, known.market);
    return known;
  }
  const rows = await readDatabase(c, experimentSql(id), UNAVAILABLE);
  const e = (rows[0] as { body: StoredExperiment } | undefined)?.body;
  if (!e) throw new ProblemError(404, { code: "experiment-unknown", params: { experiment: id } });
  cached.set(id, e);
  requireMarket(c, e.market);
  return e;
}

const ExperimentAnswer = ExperimentSchema;

experiments.openapi(
  createRoute({
    method: "put",
    path: "/v1/experiments/{experimentId}",
    summary: "Define a pricing experiment (or change one that has not started)",
    description:
      "A switchback randomises each unit (an H3 cell at `unitResolution`) in each `windowMinutes` window afresh, by a keyed hash; the first `burnInMinutes` of every window are left out of the results. Live: the drawn variant's surge settings price the unit's cells (never above the market's cap or an operator's). Shadow: every variant is priced beside the market's multiplier and recorded; the market's is charged. One experiment at a time per market.",
    tags: ["experiments"],
    request: { params: Params, body: { required: true, content: { "application/json": { schema: ExperimentInputSchema } } } },
    responses: {
      200: { description: "Replaced", content: { "application/json": { schema: ExperimentAnswer } } },
      201: { description: "Created", content: { "application/json": { schema: ExperimentAnswer } } },
      403: problemDoc,
      404: problemDoc,
      409: { ...problemDoc, description: "It has started (stop it and define another), or overlaps another of the market" },
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { experimentId } = c.req.valid("param");
    const input = c.req.valid("json");
    requireMarket(c, input.market);
    const market = (await marketIndex(c.env)).market(input.market);
    if (!market) throw new ProblemError(404, { code: "market-unknown", params: { market: input.market } });
    if (input.unitResolution > market.resolution)
      throw new ProblemError(422, {
        code: "unit-resolution-too-fine",
        params: { market: market.id, resolution: market.resolution, asked: input.unitResolution },
      });
    if (input.mode === "shadow" && NOT_IN_SHADOW.has(input.primaryMetric))
      throw new ProblemError(422, { code: "shadow-metric", params: { metric: input.primaryMetric } });
    const now = Date.now();
    if (Date.parse(input.to) <= now) throw new ProblemError(422, { code: "experiment-over" });
    const at = new Date(now).toISOString();
    const fromMinute = new Date(span(input).from).toISOString();
    const e: StoredExperiment = {
      ...input,
      from: fromMinute,
      to: new Date(input.to).toISOString(),
      id: experimentId,
      salt: [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join(""),
      createdAt: at,
      updatedAt: at,
      stoppedAt: null,
      stopReason: null,
    };
    const entry = audited(c, "experiment.put", experimentId, input.market, { name: input.name, mode: input.mode });
    const saved = await withDatabase(c, (db) =>
      withAudit(
        db,
        entry,
        (tx) => saveExperiment(tx, e, now),
        (r) => !r.refused,
      ),
    );
    if (saved.refused) {
      const r = saved.refused;
      if (r.code === "experiment-overlap")
        throw new ProblemError(
          409,
          {
            code: "experiment-overlap",
            params: { other: r.other.id, market: r.other.market, from: r.other.from, to: r.other.to },
          },
          { experiment: r.other.id },
        );
      if (r.code === "experiment-market")
        throw new ProblemError(409, { code: "experiment-market", params: { experiment: experimentId } });
      throw new ProblemError(409, {
        code: "experiment-started",
        params: { experiment: experimentId, state: r.experiment.stoppedAt ? "stopped" : "started" },
      });
    }
    cached.set(experimentId, saved.experiment);
    // Starting now: its first window is pushed at once rather than at the next cron tick.
    if (statusAt(saved.experiment, now) === "running") await pushAssignments(c.env, saved.experiment, now);
    return c.json(answer(saved.experiment, now), saved.created ? 201 : 200);
  },
);

experiments.openapi(
  createRoute({
    method: "get",
    path: "/v1/experiments",
    summary: "The experiments of a market, newest first",
    tags: ["experiments"],
    request: { query: z.object({ market: MarketIdSchema }) },
    responses: {
      200: {
        description: "Experiments",
        content: { "application/json": { schema: z.object({ experiments: z.array(ExperimentAnswer) }) } },
      },
      403: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { market } = c.req.valid("query");
    requireMarket(c, market);
    const rows = await readDatabase(c, experimentsSql(market), UNAVAILABLE);
    const now = Date.now();
    return c.json({ experiments: rows.map((r) => answer((r as { body: StoredExperiment }).body, now)) }, 200);
  },
);

experiments.openapi(
  createRoute({
    method: "get",
    path: "/v1/experiments/{experimentId}",
    summary: "An experiment and where it is in its life",
    tags: ["experiments"],
    request: { params: Params },
    responses: {
      200: { description: "The experiment", content: { "application/json": { schema: ExperimentAnswer } } },
      403: problemDoc,
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => c.json(answer(await load(c, c.req.valid("param").experimentId, true)), 200),
);

experiments.openapi(
  createRoute({
    method: "get",
    path: "/v1/experiments/{experimentId}/assignment",
    summary: "Which unit, window and variant a place and time (or a rider) are in: deterministic",
    tags: ["experiments"],
    request: { params: Params, query: AssignmentQuerySchema },
    responses: {
      200: { description: "The assignment", content: { "application/json": { schema: AssignmentSchema } } },
      403: problemDoc,
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const e = await load(c, c.req.valid("param").experimentId);
    const q = c.req.valid("query");
    const at = q.at ? Date.parse(q.at) : Date.now();
    const where = (await marketIndex(c.env)).locate(q.lat, q.lng);
    if (!where || where.market.id !== e.market)
      throw new ProblemError(422, { code: "point-outside-experiment", params: { market: e.market, experiment: e.id } });
    if (e.design === "rider" && !q.rider) throw new ProblemError(422, { code: "rider-required" });
    const window = windowAt(e, at);
    const label = labelAt(e, e.design === "rider" ? { rider: q.rider as string } : { cell: where.cell }, at);
    if (!window || !label)
      throw new ProblemError(422, {
        code: "time-outside-experiment",
        params: { at: new Date(at).toISOString(), from: e.from, to: e.to },
      });
    const stoppedAt = e.stoppedAt === null ? Number.POSITIVE_INFINITY : Date.parse(e.stoppedAt);
    return c.json(
      {
        experiment: e.id,
        unit: label.unit,
        window: {
          index: window.index,
          start: new Date(window.start).toISOString(),
          end: new Date(window.end).toISOString(),
          burnIn: e.design === "switchback" && inBurnIn(e, window, at),
        },
        variant: label.variant,
        mode: e.mode,
        active: at < stoppedAt,
      },
      200,
    );
  },
);

experiments.openapi(
  createRoute({
    method: "post",
    path: "/v1/experiments/{experimentId}/stop",
    summary: "Stop an experiment now: every cell goes back to the market's settings",
    tags: ["experiments"],
    request: { params: Params },
    responses: {
      200: { description: "Stopped (or already stopped)", content: { "application/json": { schema: ExperimentAnswer } } },
      403: problemDoc,
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { experimentId } = c.req.valid("param");
    const e = await load(c, experimentId, true);
    const now = Date.now();
    const by = c.get("principal")?.subject ?? "unknown";
    const entry = audited(c, "experiment.stop", experimentId, e.market);
    const result = await withDatabase(c, (db) =>
      withAudit(
        db,
        entry,
        (tx) => stopExperiment(tx, experimentId, now, `stopped by ${by}`),
        (r) => r?.stopped === true,
      ),
    );
    if (!result) throw new ProblemError(404, { code: "experiment-unknown", params: { experiment: experimentId } });
    cached.set(experimentId, result.experiment);
    await pushAssignments(c.env, result.experiment, now);
    return c.json(answer(result.experiment, now), 200);
  },
);

const Interval = z.tuple([z.number(), z.number()]);
const ResultsSchema = z.object({
  experiment: z.string(),
  market: z.string(),
  status: z.enum(["scheduled", "running", "ended", "stopped"]),
  stopReason: z.string().nullable(),
  mode: z.enum(["shadow", "live"]),
  design: z.enum(["switchback", "rider"]),
  primaryMetric: z.string(),
  level: z.number(),
  unitWindows: z.number().int(),
  variants: z.array(
    z.object({
      id: z.string(),
      weight: z.number(),
      unitWindows: z.number().int(),
      units: z.number().int(),
      metrics: z.record(z.string(), z.number().nullable()),
      totals: z.record(z.string(), z.number()),
    }),
  ),
  effects: z.array(
    z.object({
      variant: z.string(),
      control: z.string(),
      metric: z.string(),
      controlValue: z.number().nullable(),
      variantValue: z.number().nullable(),
      estimate: z.number().nullable(),
      relative: z.number().nullable(),
      clusterRobust: z
        .object({
          se: z.number(),
          df: z.number(),
          ci: Interval,
          p: z.number(),
          clusters: z.number().int(),
          observations: z.number().int(),
          relativeCi: Interval.nullable(),
        })
        .nullable(),
      permutation: z.object({ p: z.number(), ci: Interval, permutations: z.number().int(), exact: z.boolean() }).nullable(),
    }),
  ),
  sampleRatio: z
    .object({
      chiSquare: z.number(),
      df: z.number(),
      p: z.number(),
      mismatch: z.boolean(),
      threshold: z.number(),
      counts: z.record(z.string(), z.number()),
    })
    .nullable(),
  guardrails: z.array(
    z.object({
      metric: z.string(),
      worseIf: z.enum(["lower", "higher"]),
      tolerance: z.number(),
      variant: z.string(),
      relativeCi: Interval.nullable(),
      breached: z.boolean(),
    }),
  ),
  method: z.object({ clusterRobust: z.string(), permutation: z.string(), metrics: z.record(z.string(), z.string()) }),
  assumptions: z.array(z.string()),
});

experiments.openapi(
  createRoute({
    method: "get",
    path: "/v1/experiments/{experimentId}/results",
    summary: "Results from history: per variant, the effect with intervals and p-values, sample-ratio check, guardrails",
    description:
      "Computed from Postgres per unit and window after the burn-in. A live experiment whose guardrail is surely breached is stopped by this call (and by the job every 5 minutes), with a failure event.",
    tags: ["experiments"],
    request: { params: Params },
    responses: {
      200: { description: "The results", content: { "application/json": { schema: ResultsSchema } } },
      403: problemDoc,
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    let e = await load(c, c.req.valid("param").experimentId, true);
    const now = Date.now();
    let results: Awaited<ReturnType<typeof resultsOf>>;
    try {
      results = await resultsOf(c.env, e);
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      console.error(
        JSON.stringify({ level: "warn", requestId: c.get("requestId"), message: "results unreadable", error: String(err) }),
      );
      throw new ProblemError(503, UNAVAILABLE, {}, { "retry-after": "5" });
    }
    if (statusAt(e, now) === "running") {
      const stopped = await stopIfBreached(c.env, e, results, now);
      if (stopped) {
        e = stopped;
        cached.set(e.id, e);
      }
    }
    return c.json({ ...results, status: statusAt(e, now), stopReason: e.stopReason }, 200);
  },
);
