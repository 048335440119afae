import { createRoute, z } from "@hono/zod-openapi";
import { guardrailStopsSql } from "../../../db/experiments";
import { zoneStub } from "../../../shared/contracts/objects";
import type { StoredExperiment } from "../../../shared/experiments/assignment";
import { t } from "../../../shared/i18n/catalogue";
import { type Alert, marketAlerts } from "../../../shared/platform/alerts";
import { MarketIdSchema } from "../../../shared/pricing/market";
import { readDatabase, router } from "../app";
import { historyBacklog } from "../backlog";
import { requestLocale } from "../locale";
import { marketIndex } from "../market-index";
import { ProblemError } from "../problem";
import { overrideCap, systemSnapshot } from "../system";

/**
 * `GET /v1/markets/{marketId}/alerts`: what the market's operators should be told now, from where
 * each fact lives (the zones' cells, the system-mode object, the zones' outboxes, experiments in
 * Postgres), judged by `shared/platform/alerts.ts` and said in the reader's language. Postgres away
 * is itself told (the guardrails cannot be read), never a 5xx.
 */
export const alerts = router();

const AlertSchema = z.object({
  kind: z.enum(["cap", "degraded", "emergency", "backlog", "guardrail", "history-unreachable"]),
  severity: z.enum(["warning", "critical"]),
  text: z.string().describe("the alert in the answer's language"),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});

const GUARDRAIL_LOOKBACK_MS = 24 * 3_600_000;

alerts.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/alerts",
    summary: "A market's alerts now: cells held at the cap, degraded or emergency mode, history backlog, guardrail stops",
    tags: ["markets"],
    request: { params: z.object({ marketId: MarketIdSchema }) },
    responses: {
      200: {
        description: "The alerts, most severe first (none: all is well)",
        content: {
          "application/json": {
            schema: z.object({
              market: z.string(),
              at: z.string(),
              cells: z.object({ total: z.number().int(), atCap: z.number().int() }),
              alerts: z.array(AlertSchema),
            }),
          },
        },
      },
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const index = await marketIndex(c.env);
    const market = index.market(marketId);
    if (!market) throw new ProblemError(404, { code: "market-unknown", params: { market: marketId } });
    const now = Date.now();
    const ref = { id: market.id, version: market.version };
    const [snapshot, readings, backlog, stops] = await Promise.all([
      systemSnapshot(c.env),
      Promise.all(index.zonesOf(marketId).map((zone) => zoneStub(c.env, market.id, zone).activeCells(ref, zone))),
      historyBacklog(c.env, false, marketId),
      readDatabase(c, guardrailStopsSql(marketId, now - GUARDRAIL_LOOKBACK_MS), "guardrails").then(
        (rows) => rows.map((r) => r.body as StoredExperiment),
        () => undefined,
      ),
    ]);
    // At the cap: showing the cap that binds the cell now (the market's, or an operator's lower one).
    const atCap = readings.flat().filter((r) => {
      const cap = Math.min(market.surge.cap, overrideCap(snapshot, marketId, r.cell, now) ?? Number.POSITIVE_INFINITY);
      return r.shownTenths >= Math.floor(cap * 10 + 1e-9);
    }).length;
    const emergency = snapshot?.overrides.find((o) => o.market === marketId && Date.parse(o.until) > now);
    const found: Array<Alert | { kind: "history-unreachable"; severity: "warning"; params: Record<string, never> }> =
      marketAlerts({
        cells: { total: market.cellCount, atCap },
        cap: market.surge.cap,
        mode: snapshot?.mode === "degraded" ? "degraded" : "normal",
        emergency: emergency && { cap: emergency.cap, until: emergency.until, reason: emergency.reason },
        backlog,
        guardrailStops: (stops ?? []).map((e) => ({ experiment: e.id, reason: e.stopReason ?? "", at: e.stoppedAt ?? "" })),
      });
    if (stops === undefined) found.push({ kind: "history-unreachable", severity: "warning", params: {} });
    const locale = requestLocale(c);
    return c.json(
      {
        market: marketId,
        at: new Date(now).toISOString(),
        cells: { total: market.cellCount, atCap },
        alerts: found.map((a) => ({ ...a, text: t(locale, `alert.${a.kind}`, a.params) })),
      },
      200,
    );
  },
);
