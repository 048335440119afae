import { createRoute, z } from "@hono/zod-openapi";
import { type LiveRequest, MAX_SUBSCRIBED_CELLS, SUBSCRIPTION_HEADER } from "../../../durable-objects/subscribers";
import { liveHostStub, zoneName } from "../../../shared/contracts/objects";
import { isCell, zoneOf } from "../../../shared/pricing/zoning";
import { router } from "../app";
import { requireMarket } from "../auth/access";
import { registerLiveHost } from "../auth/revocations";
import { marketIndex } from "../market-index";
import { ProblemError, problemDoc } from "../problem";

/**
 * Live multipliers over a WebSocket. Cells of one zone are served by that zone's object (it
 * scales with the zones); a whole market, or cells across zones, by the market's feed object.
 * Who may watch what is in the access table: `live` (with `?cells=`) for anyone who reads
 * surge, `live.market` (a whole market) as the heatmap. The socket carries its token's identity
 * and closes when the token expires or is revoked (`durable-objects/subscribers.ts`).
 */

const LiveQuery = z.object({
  market: z.string().optional().describe("subscribe to every cell of a market"),
  cells: z.string().optional().describe(`comma-separated H3 cells (at most ${MAX_SUBSCRIBED_CELLS})`),
});

export const live = router();

live.openAPIRegistry.registerPath(
  createRoute({
    method: "get",
    path: "/v1/live",
    summary: "WebSocket of multiplier changes",
    description:
      'Upgrade to a WebSocket. Choose cells or a market by query, or later with `{"type":"subscribe","cells":[...]}`. Each change: `{"type":"surge","cell","multiplier","at","seq"}` with a per-cell sequence number (a gap means a missed change). A text `ping` is answered `pong` without waking the server. A whole market (no `cells`) is for drivers, operators, admins and services, as the heatmap. Messages: at most 5 per second (bursts of 10) and 4 KB each, else an error and close code 1008. When the token expires or is revoked the socket closes with 4001. A refused subscription is a problem+json answer to the upgrade; a browser (it sends Origin, and cannot read that answer) gets the socket instead, one `{"type":"error","status","code","detail"}` message and a close with code 4000 + status (4401, 4403, 4404…) whose reason is the detail.',
    tags: ["surge"],
    request: { query: LiveQuery },
    responses: { 101: { description: "Switching protocols" }, 400: problemDoc, 404: problemDoc, 426: problemDoc },
  }),
);

live.get("/v1/live", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new ProblemError(426, { code: "websocket-required" });
  const query = LiveQuery.parse(c.req.query());
  const index = await marketIndex(c.env);
  // The access rule that matched decides the scope: cells ("live") or the whole market ("live.market").
  const cellScope = c.get("route") === "live";
  const cells = cellScope
    ? [
        ...new Set(
          (query.cells ?? "")
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ]
    : [];
  // An empty `?cells=` is not a way to the whole market.
  if (cellScope && cells.length === 0) throw new ProblemError(400, { code: "live-cells-empty" });
  if (!query.market && cells.length === 0) throw new ProblemError(400, { code: "live-target-missing" });
  if (cells.length > MAX_SUBSCRIBED_CELLS)
    throw new ProblemError(400, { code: "live-too-many-cells", params: { max: MAX_SUBSCRIBED_CELLS } });
  const invalid = cells.find((cell) => !isCell(cell));
  if (invalid) throw new ProblemError(400, { code: "cell-not-h3", params: { cell: invalid.slice(0, 32) } });

  let market = query.market ? index.market(query.market) : undefined;
  if (query.market && !market) throw new ProblemError(404, { code: "market-unknown", params: { market: query.market } });
  for (const cell of cells) {
    const owner = index.marketOfCell(cell);
    if (!owner) throw new ProblemError(404, { code: "cell-not-priced", params: { cell } });
    if (market && owner.id !== market.id)
      throw new ProblemError(400, {
        code: "live-cell-other-market",
        params: { cell, owner: owner.id, market: market.id },
      });
    market = owner;
  }
  if (!market) throw new ProblemError(400, { code: "live-target-missing" });
  requireMarket(c, market.id);
  const token = c.get("principal")?.credential;
  if (!token) throw new ProblemError(401, { code: "live-token-required" });

  const zones = new Set(cells.map((cell) => zoneOf(cell, market.zoneResolution)));
  const ref = { id: market.id, version: market.version };
  const [zone] = zones;
  const subscription: LiveRequest = { market: ref, zone: zone ?? "", cells: cellScope ? cells : null, token };
  const host =
    zones.size === 1 && zone !== undefined
      ? ({ kind: "zone", name: zoneName(market.id, zone) } as const)
      : ({ kind: "feed", name: market.id } as const);
  const stub = liveHostStub(c.env, host);
  registerLiveHost(c.env, c.executionCtx, host, token.expiresAt);
  const headers = new Headers(c.req.raw.headers);
  headers.set(SUBSCRIPTION_HEADER, JSON.stringify(subscription));
  // No per-message compression: each socket would keep its own deflate state and compress the
  // same small message once per subscriber, which is most of the cost of a fan-out.
  headers.delete("sec-websocket-extensions");
  return stub.fetch(new Request(c.req.raw.url, { headers }));
});
