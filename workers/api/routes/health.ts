import { createRoute, z } from "@hono/zod-openapi";
import { directoryStub } from "../../../shared/contracts/objects";
import { router } from "../app";
import { historyBacklog } from "../backlog";
import { probeAndReport } from "../probes";
import { forgetSystem, systemSnapshot } from "../system";

export const health = router();

const Check = z.object({
  status: z.enum(["ok", "failing"]),
  latencyMs: z.number(),
  error: z.string().optional(),
  failing: z.array(z.string()).optional().describe("zones only: the zone objects failing now, by name (<market>:<zone>)"),
  failingShare: z.number().optional().describe("zones only: the share of every market's zones that fail"),
});
const Readiness = z.object({
  status: z.enum(["ready", "degraded", "not ready"]),
  mode: z.string(),
  checks: z.record(z.string(), Check).optional().describe("only with ?deep (operators and admins)"),
});

health.openapi(
  createRoute({
    method: "get",
    path: "/health/live",
    summary: "The worker answers",
    tags: ["health"],
    responses: {
      200: { description: "Alive", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } },
    },
  }),
  (c) => c.json({ status: "ok" as const }, 200),
);

health.openapi(
  createRoute({
    method: "get",
    path: "/health/ready",
    summary: "Readiness: the last known system mode, or (?deep, operators) each dependency probed now",
    description:
      "Without `deep`: a cheap public answer from the system mode this isolate last saw; nothing is probed. With `deep` (any value; operators and admins, rate limited): Postgres, Redis, the queue, the directory and the zones are called now, each with its status and latency; the zones check also names the zone objects that fail now (reported by the edge's breakers), which leave the platform degraded, not unready.",
    tags: ["health"],
    request: { query: z.object({ deep: z.string().optional().describe("probe every dependency now (operators, admins)") }) },
    responses: {
      200: {
        description: "Ready",
        content: { "application/json": { schema: Readiness } },
      },
      503: {
        description: "Not ready",
        content: { "application/json": { schema: Readiness } },
      },
    },
  }),
  async (c) => {
    // The access rule that matched decides: the deep probe only for the roles the table gives it.
    if (c.get("route") !== "health.ready.deep") {
      const mode = (await systemSnapshot(c.env))?.mode;
      return c.json({ status: mode === "normal" ? ("ready" as const) : ("degraded" as const), mode: mode ?? "unknown" }, 200);
    }
    const checks: Record<string, z.infer<typeof Check>> = {};
    const started = Date.now();
    try {
      await directoryStub(c.env).changedSince(-1);
      checks.directory = { status: "ok", latencyMs: Date.now() - started };
    } catch (err) {
      checks.directory = { status: "failing", latencyMs: Date.now() - started, error: String(err) };
    }
    checks.quoteSigning = c.env.QUOTE_SIGNING_KEY
      ? { status: "ok", latencyMs: 0 }
      : { status: "failing", latencyMs: 0, error: "QUOTE_SIGNING_KEY is not set" };
    Object.assign(checks, await probeAndReport(c.env));
    const backlogStarted = Date.now();
    const history = await historyBacklog(c.env, false);
    checks.history =
      history.status === "ok" && history.unreachable === 0
        ? { status: "ok", latencyMs: Date.now() - backlogStarted }
        : {
            status: "failing",
            latencyMs: Date.now() - backlogStarted,
            error: `history backlog ${history.status}: ${history.pending} rows (${history.bytes} bytes) pending, the oldest ${Math.round((history.oldestAgeMs ?? 0) / 1000)} s old; ${history.unreachable} outboxes did not answer`,
          };
    forgetSystem();
    const snapshot = await systemSnapshot(c.env);
    const mode = snapshot?.mode ?? "degraded";
    const zones = snapshot?.dependencies.zones;
    if (checks.zones && zones) checks.zones = { ...checks.zones, failing: zones.failing, failingShare: zones.failingShare };
    // Ready means able to price: the directory, the zones (the canary reached) and the signing key.
    // The rest degrade, and so does a failing zone object: its cells price from their last known multiplier.
    const ready = ["directory", "zones", "quoteSigning"].every((k) => checks[k]?.status === "ok");
    const status: z.infer<typeof Readiness>["status"] = !ready
      ? "not ready"
      : Object.values(checks).every((x) => x.status === "ok") && (zones?.failing.length ?? 0) === 0
        ? "ready"
        : "degraded";
    return c.json({ status, mode, checks }, ready ? 200 : 503);
  },
);
