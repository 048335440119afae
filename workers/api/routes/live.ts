import { createRoute, z } from "@hono/zod-openapi";
import { type LiveRequest, MAX_SUBSCRIBED_CELLS, SUBSCRIPTION_HEADER } from "../../../durable-objects/subscribers";
import { isCell, zoneKey, zoneOf } from "../../../shared/zoning";
import { router } from "../app";
import { requireMarket } from "../auth/access";
import { marketIndex } from "../market-index";
import { ProblemError, problemDoc } from "../problem";

/**
 * Live multipliers over a WebSocket. Cells of one zone are served by that zone's object (it
 * scales with the zones); a whole market, or cells across zones, by the market's feed object.
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
      'Upgrade to a WebSocket. Choose cells or a market by query, or later with `{"type":"subscribe","cells":[...]}`. Each change: `{"type":"surge","cell","multiplier","at","seq"}` with a per-cell sequence number (a gap means a missed change). A text `ping` is answered `pong` without waking the server.',
    tags: ["surge"],
    request: { query: LiveQuery },
    responses: { 101: { description: "Switching protocols" }, 400: problemDoc, 404: problemDoc, 426: problemDoc },
  }),
);

live.get("/v1/live", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new ProblemError(426, "GET /v1/live is a WebSocket: send Upgrade: websocket.");
  const query = LiveQuery.parse(c.req.query());
  const index = await marketIndex(c.env);
  const cells = query.cells
    ? [
        ...new Set(
          query.cells
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ]
    : [];
  if (!query.market && cells.length === 0) throw new ProblemError(400, "Choose what to watch: ?market=<id> or ?cells=<h3>,<h3>.");
  if (cells.length > MAX_SUBSCRIBED_CELLS) throw new ProblemError(400, `cells: at most ${MAX_SUBSCRIBED_CELLS} per connection.`);
  const invalid = cells.find((cell) => !isCell(cell));
  if (invalid) throw new ProblemError(400, `cells: "${invalid.slice(0, 32)}" is not an H3 cell.`);

  let market = query.market ? index.market(query.market) : undefined;
  if (query.market && !market) throw new ProblemError(404, `There is no market "${query.market}".`);
  for (const cell of cells) {
    const owner = index.marketOfCell(cell);
    if (!owner) throw new ProblemError(404, `cells: ${cell} is not a pricing cell of any market.`);
    if (market && owner.id !== market.id) throw new ProblemError(400, `cells: ${cell} belongs to ${owner.id}, not ${market.id}.`);
    market = owner;
  }
  if (!market) throw new ProblemError(400, "Choose what to watch: ?market=<id> or ?cells=<h3>,<h3>.");
  requireMarket(c, market.id);

  const zones = new Set(cells.map((cell) => zoneOf(cell, market.zoneResolution)));
  const ref = { id: market.id, version: market.version };
  const [zone] = zones;
  const subscription: LiveRequest = { market: ref, zone: zone ?? "", cells: cells.length > 0 ? cells : null };
  const stub =
    zones.size === 1 && zone !== undefined
      ? c.env.ZONES.getByName(zoneKey(market.id, zone))
      : c.env.MARKET_FEEDS.getByName(market.id);
  const headers = new Headers(c.req.raw.headers);
  headers.set(SUBSCRIPTION_HEADER, JSON.stringify(subscription));
  // No per-message compression: each socket would keep its own deflate state and compress the
  // same small message once per subscriber, which is most of the cost of a fan-out.
  headers.delete("sec-websocket-extensions");
  return stub.fetch(new Request(c.req.raw.url, { headers }));
});
