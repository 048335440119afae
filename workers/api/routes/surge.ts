import { createRoute } from "@hono/zod-openapi";
import { SurgeQuerySchema, SurgeReadingSchema } from "../../../shared/api";
import { zoneKey } from "../../../shared/zoning";
import { router } from "../app";
import { marketIndex } from "../market-index";
import { ProblemError, problemDoc } from "../problem";

export const surge = router();

surge.openapi(
  createRoute({
    method: "get",
    path: "/v1/surge",
    summary: "The multiplier at a point, with what made it",
    tags: ["surge"],
    request: { query: SurgeQuerySchema },
    responses: {
      200: { description: "The cell's reading", content: { "application/json": { schema: SurgeReadingSchema } } },
      404: { ...problemDoc, description: "No market covers the point" },
      422: problemDoc,
    },
  }),
  async (c) => {
    const { lat, lng } = c.req.valid("query");
    const where = (await marketIndex(c.env)).locate(lat, lng);
    if (!where) throw new ProblemError(404, `No market covers ${lat}, ${lng}.`);
    const ref = { id: where.market.id, version: where.market.version };
    const r = await c.env.ZONES.getByName(zoneKey(where.market.id, where.zone)).reading(ref, where.zone, where.cell);
    return c.json(
      {
        cell: r.cell,
        zone: where.zone,
        market: where.market.id,
        multiplier: r.shownTenths / 10,
        supply: r.supply,
        demand: r.demand,
        seq: r.seq,
        computedAt: new Date(r.computedAt).toISOString(),
        explanation: r.explanation,
      },
      200,
    );
  },
);
