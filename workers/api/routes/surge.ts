import { createRoute } from "@hono/zod-openapi";
import { CellHistorySchema, CellQuerySchema, SurgeQuerySchema, SurgeReadingSchema } from "../../../shared/contracts/api";
import { zoneStub } from "../../../shared/contracts/objects";
import { t } from "../../../shared/i18n/catalogue";
import { explanationMessage } from "../../../shared/i18n/explanation";
import { formatTime } from "../../../shared/i18n/format";
import { placeOfCell } from "../../../shared/pricing/places";
import { isCell, zoneOf } from "../../../shared/pricing/zoning";
import { router } from "../app";
import { requireMarket } from "../auth/access";
import { readCell } from "../cell-readings";
import { useMarketLocale } from "../locale";
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
    if (!where) throw new ProblemError(404, { code: "point-outside-markets", params: { lat, lng } });
    requireMarket(c, where.market.id);
    const m = where.market;
    const locale = useMarketLocale(c, m.locale);
    const { reading: r, degraded } = await readCell(
      c,
      { id: m.id, version: m.version, cap: m.surge.cap, tickMs: m.surge.updateIntervalMs },
      where.zone,
      where.cell,
    );
    const sentence = explanationMessage({
      explanation: r.explanation,
      multiplier: r.shownTenths / 10,
      degraded: degraded !== null,
      place: placeOfCell(m.places, r.cell, m.resolution)?.name,
    });
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
        computedAtFormatted: formatTime(r.computedAt, m.timezone, locale.tag),
        explanation: r.explanation,
        explanationText: t(locale, sentence.key, sentence.params),
        degraded,
      },
      200,
    );
  },
);

surge.openapi(
  createRoute({
    method: "get",
    path: "/v1/surge/history",
    summary: "Recent multiplier, supply and demand of a cell",
    description:
      "Points every few seconds (and at every change) over the last minutes, kept by the zone. Older history is in analytics.",
    tags: ["surge"],
    request: { query: CellQuerySchema },
    responses: {
      200: { description: "Recent points, oldest first", content: { "application/json": { schema: CellHistorySchema } } },
      400: problemDoc,
      404: problemDoc,
    },
  }),
  async (c) => {
    const { cell } = c.req.valid("query");
    if (!isCell(cell)) throw new ProblemError(400, { code: "cell-not-h3", params: { cell } });
    const market = (await marketIndex(c.env)).marketOfCell(cell);
    if (!market) throw new ProblemError(404, { code: "cell-not-priced", params: { cell } });
    requireMarket(c, market.id);
    const zone = zoneOf(cell, market.zoneResolution);
    const points = await zoneStub(c.env, market.id, zone).history({ id: market.id, version: market.version }, zone, cell);
    return c.json(
      {
        cell,
        market: market.id,
        points: points.map((x) => ({
          at: new Date(x.at).toISOString(),
          multiplier: x.shownTenths / 10,
          supply: x.supply,
          demand: x.demand,
        })),
      },
      200,
    );
  },
);
