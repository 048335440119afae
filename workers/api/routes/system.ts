import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { systemStub, zoneStub } from "../../../shared/contracts/objects";
import { MarketIdSchema } from "../../../shared/pricing/market";
import { isCell } from "../../../shared/pricing/zoning";
import { readDatabase, router } from "../app";
import { actorOf } from "../audit";
import { requireMarket } from "../auth/access";
import { BacklogSchema, historyBacklog } from "../backlog";
import { marketIndex } from "../market-index";
import { probeAndReport } from "../probes";
import { ProblemError, type ProblemText, problemDoc } from "../problem";
import { LATENCY_BUCKETS_MS, percentile } from "../request-metrics";
import { forgetSystem } from "../system";

/**
 * The system's mode, operators' emergency overrides, the performance and failure report, and
 * (where enabled for resilience tests) fault injection.
 */
export const system = router();

const Json = z.record(z.string(), z.unknown());

system.openapi(
  createRoute({
    method: "get",
    path: "/v1/system",
    summary: "The system's mode, each dependency's health, the live overrides",
    tags: ["system"],
    responses: { 200: { description: "The mode", content: { "application/json": { schema: Json } } } },
  }),
  async (c) => c.json(await systemStub(c.env).snapshot(), 200),
);

system.openapi(
  createRoute({
    method: "post",
    path: "/v1/system/probe",
    summary: "Probe every dependency now (the cron trigger does it every minute)",
    tags: ["system"],
    responses: {
      200: { description: "Probe results and the resulting mode", content: { "application/json": { schema: Json } } },
    },
  }),
  async (c) => {
    const probes = await probeAndReport(c.env);
    forgetSystem();
    return c.json({ probes, system: await systemStub(c.env).snapshot() }, 200);
  },
);

const OverrideInput = z.object({
  market: MarketIdSchema,
  cells: z.array(z.string().max(20)).min(1).max(500).optional().describe("omit for the whole market"),
  cap: z.number().min(1).max(10).describe("the highest multiplier shown and charged meanwhile; 1.0 stops surge"),
  minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  reason: z.string().min(3).max(200),
});

system.openapi(
  createRoute({
    method: "post",
    path: "/v1/system/overrides",
    summary: "Declare an emergency: cap multipliers in a market (or some cells) for a while",
    tags: ["system"],
    request: { body: { required: true, content: { "application/json": { schema: OverrideInput } } } },
    responses: {
      201: { description: "The override", content: { "application/json": { schema: Json } } },
      403: problemDoc,
      404: problemDoc,
      422: problemDoc,
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    requireMarket(c, input.market);
    const index = await marketIndex(c.env);
    const cells = index.cellsOf(input.market);
    if (!cells) throw new ProblemError(404, { code: "market-unknown", params: { market: input.market } });
    const foreign = input.cells?.find((cell) => !isCell(cell) || !cells.has(cell));
    if (foreign)
      throw new ProblemError(422, {
        code: "cell-not-in-market",
        params: { cell: foreign.slice(0, 20), market: input.market },
      });
    const override = await systemStub(c.env).declare(
      {
        market: input.market,
        cells: input.cells ?? null,
        cap: input.cap,
        minutes: input.minutes,
        reason: input.reason,
        by: c.get("principal")?.subject ?? "unknown",
      },
      actorOf(c),
    );
    forgetSystem();
    return c.json(override, 201);
  },
);

system.openapi(
  createRoute({
    method: "delete",
    path: "/v1/system/overrides/{overrideId}",
    summary: "Lift an override before it expires",
    tags: ["system"],
    request: { params: z.object({ overrideId: z.string().max(40) }) },
    responses: {
      200: { description: "Lifted", content: { "application/json": { schema: Json } } },
      403: problemDoc,
      404: problemDoc,
    },
  }),
  async (c) => {
    const { overrideId } = c.req.valid("param");
    const stub = systemStub(c.env);
    const live = (await stub.snapshot()).overrides.find((o) => o.id === overrideId);
    if (!live) throw new ProblemError(404, { code: "override-unknown", params: { override: overrideId } });
    requireMarket(c, live.market);
    await stub.lift(overrideId, c.get("principal")?.subject ?? "unknown", actorOf(c));
    forgetSystem();
    return c.json({ lifted: overrideId }, 200);
  },
);

system.openapi(
  createRoute({
    method: "get",
    path: "/v1/system/backlog",
    summary: "History accepted and not yet confirmed in Postgres, across every outbox",
    tags: ["system"],
    responses: { 200: { description: "The backlog", content: { "application/json": { schema: BacklogSchema } } } },
  }),
  async (c) => {
    const snapshot = await systemStub(c.env).snapshot();
    return c.json({ ...(await historyBacklog(c.env, false)), draining: snapshot.draining }, 200);
  },
);

system.openapi(
  createRoute({
    method: "post",
    path: "/v1/system/drain",
    summary: "Stop taking writes and send every outbox's history now (a local stop); draining ends when the platform restarts",
    tags: ["system"],
    request: {
      body: {
        required: false,
        content: { "application/json": { schema: z.object({ draining: z.boolean().default(true) }) } },
      },
    },
    responses: {
      200: { description: "Draining, and the backlog when asked", content: { "application/json": { schema: BacklogSchema } } },
    },
  }),
  async (c) => {
    const text = await c.req.text();
    let draining = true;
    if (text.trim() !== "") {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const parsed = z.object({ draining: z.boolean().default(true) }).safeParse(body);
      if (!parsed.success) throw new ProblemError(422, { code: "drain-body" });
      draining = parsed.data.draining;
    }
    await systemStub(c.env).setDraining(draining);
    forgetSystem();
    return c.json({ ...(await historyBacklog(c.env, true)), draining }, 200);
  },
);

system.openapi(
  createRoute({
    method: "get",
    path: "/v1/system/report",
    summary: "Performance and failure report: per mode, request rate, error rate, latency percentiles; the failure log",
    tags: ["system"],
    request: { query: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }) },
    responses: {
      200: { description: "The report", content: { "application/json": { schema: Json } } },
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (to <= from) throw new ProblemError(422, { code: "range-reversed" });
    const unreachable: ProblemText = { code: "history-unreachable", params: { what: "report" } };
    const [buckets, failures] = await Promise.all([
      readDatabase(
        c,
        sql`select mode, outcome, bucket_ms, sum(count)::int as count, count(distinct minute)::int as minutes
          from request_minutes where minute >= ${from.toISOString()} and minute < ${to.toISOString()} group by mode, outcome, bucket_ms`,
        unreachable,
      ),
      readDatabase(
        c,
        sql`select at, kind, subject, status, detail from failure_events where at >= ${from.toISOString()} and at < ${to.toISOString()} order by at`,
        unreachable,
      ),
    ]);
    const rows = buckets as Array<{ mode: string; outcome: string; bucket_ms: number; count: number }>;
    const seconds = (to.getTime() - from.getTime()) / 1000;
    const modes = [...new Set(rows.map((r) => r.mode))].map((mode) => {
      const mine = rows.filter((r) => r.mode === mode);
      const total = mine.reduce((s, r) => s + r.count, 0);
      const errors = mine.filter((r) => r.outcome === "server_error").reduce((s, r) => s + r.count, 0);
      const byBucket = LATENCY_BUCKETS_MS.map((bucketMs) => ({
        bucketMs,
        count: mine.filter((r) => r.bucket_ms === bucketMs).reduce((s, r) => s + r.count, 0),
      }));
      return {
        mode,
        requests: total,
        requestsPerSecond: Math.round((total / seconds) * 1000) / 1000,
        serverErrorRate: total ? errors / total : 0,
        clientErrors: mine.filter((r) => r.outcome === "client_error").reduce((s, r) => s + r.count, 0),
        latencyMs: { p50: percentile(byBucket, 0.5), p95: percentile(byBucket, 0.95), p99: percentile(byBucket, 0.99) },
      };
    });
    return c.json({ from: from.toISOString(), to: to.toISOString(), modes, failures }, 200);
  },
);

system.openapi(
  createRoute({
    method: "post",
    path: "/v1/admin/chaos/zone",
    summary: "Fault injection (resilience tests only): make the zone at a point fail for a while",
    tags: ["admin"],
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.object({ lat: z.number(), lng: z.number(), seconds: z.number().int().min(1).max(600) }),
          },
        },
      },
    },
    responses: {
      200: { description: "The zone fails", content: { "application/json": { schema: Json } } },
      403: problemDoc,
      404: problemDoc,
    },
  }),
  async (c) => {
    if ((c.env.CHAOS_ENABLED as string) !== "true") throw new ProblemError(403, { code: "chaos-disabled" });
    const { lat, lng, seconds } = c.req.valid("json");
    const where = (await marketIndex(c.env)).locate(lat, lng);
    if (!where) throw new ProblemError(404, { code: "point-outside-markets", params: { lat, lng } });
    await zoneStub(c.env, where.market.id, where.zone).fail(seconds);
    return c.json({ zone: where.zone, failingForSeconds: seconds }, 200);
  },
);
