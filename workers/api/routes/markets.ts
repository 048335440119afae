import { createRoute, z } from "@hono/zod-openapi";
import { withAudit } from "../../../db/audit";
import { archiveMarket, deleteMarket, saveMarket } from "../../../db/markets";
import { HeatmapSchema } from "../../../shared/contracts/api";
import { directoryStub, zoneStub } from "../../../shared/contracts/objects";
import { geofencePositions, Region } from "../../../shared/pricing/geofence";
import { type Geofence, MAX_MARKET_CELLS, type Market, MarketIdSchema, MarketInputSchema } from "../../../shared/pricing/market";
import {
  type CellEstimate,
  type GeofenceRefusal,
  geofenceCells,
  geofenceRefusal,
  MAX_GEOFENCE_POSITIONS,
  overlappingMarket,
  zonesOfCells,
} from "../../../shared/pricing/zoning";
import { router, withDatabase } from "../app";
import { audited } from "../audit";
import { allowsMarket } from "../auth/principal";
import { forgetMarkets, marketIndex } from "../market-index";
import { ProblemError, type ProblemText, problemDoc } from "../problem";

const MarketSchema = z.looseObject({
  id: z.string(),
  version: z.number().int(),
  cellCount: z.number().int(),
  zoneCount: z.number().int(),
});
const Params = z.object({ marketId: MarketIdSchema });

export const markets = router();

markets.openapi(
  createRoute({
    method: "put",
    path: "/v1/markets/{marketId}",
    summary: "Create or replace a market",
    tags: ["markets"],
    request: { params: Params, body: { content: { "application/json": { schema: MarketInputSchema } }, required: true } },
    responses: {
      200: { description: "Replaced", content: { "application/json": { schema: MarketSchema } } },
      201: { description: "Created", content: { "application/json": { schema: MarketSchema } } },
      409: { ...problemDoc, description: "The geofence overlaps another market's area (sharing a border is fine)" },
      422: {
        ...problemDoc,
        description: "Invalid, or too large: a geofence is measured before its cells are computed (at most 50,000 cells)",
      },
      503: { ...problemDoc, description: "The configuration store (Postgres) is unreachable; nothing changed" },
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const input = c.req.valid("json");
    // Measured before any cell is computed: a continent costs milliseconds here, not seconds of H3.
    const refusal = geofenceRefusal(input.geofence, input.resolution, MAX_MARKET_CELLS);
    if (refusal)
      throw new ProblemError(422, refusalText(refusal, input.geofence, input.resolution), {
        ...(refusal.estimate && { estimate: rounded(refusal.estimate) }),
      });
    const cells = geofenceCells(input.geofence, input.resolution);
    if (cells.length > MAX_MARKET_CELLS)
      throw new ProblemError(422, {
        code: "geofence-too-large",
        params: { measure: "cells", cells: cells.length, resolution: input.resolution, max: MAX_MARKET_CELLS },
      });
    const zones = zonesOfCells(cells, input.zoneResolution);
    const entry = audited(c, "market.put", marketId, marketId, { name: input.name, resolution: input.resolution });
    // The overlap check reads every other market under the save's lock: two isolates saving
    // overlapping markets at once cannot both pass it. A refusal writes nothing (and no audit entry).
    const saved = await withDatabase(c, (db) =>
      withAudit(
        db,
        entry,
        (tx) =>
          saveMarket(tx, marketId, input, { cellCount: cells.length, zoneCount: zones.length }, (others) =>
            overlappingMarket(input.geofence, others),
          ),
        (result) => !result.refused,
      ),
    );
    if (saved.refused) {
      const { market: other, at } = saved.refused;
      throw new ProblemError(
        409,
        {
          code: "market-overlap",
          params: { market: other.id, name: other.name, lat: at.lat.toFixed(5), lng: at.lng.toFixed(5) },
        },
        { market: other.id, at },
      );
    }
    const { market, created } = saved;
    await directoryStub(c.env).put(market);
    forgetMarkets();
    return c.json(market as Market, created ? 201 : 200);
  },
);

markets.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets",
    summary: "List markets",
    tags: ["markets"],
    responses: {
      200: {
        description: "The markets the caller may act on (every market for a token of all markets)",
        content: { "application/json": { schema: z.object({ markets: z.array(MarketSchema) }) } },
      },
    },
  }),
  async (c) => {
    const principal = c.get("principal");
    return c.json({ markets: (await marketIndex(c.env)).markets.filter((m) => allowsMarket(principal, m.id)) }, 200);
  },
);

markets.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}",
    summary: "Get a market",
    tags: ["markets"],
    request: { params: Params },
    responses: { 200: { description: "The market", content: { "application/json": { schema: MarketSchema } } }, 404: problemDoc },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const market = (await marketIndex(c.env)).market(marketId);
    if (!market) throw new ProblemError(404, { code: "market-unknown", params: { market: marketId } });
    return c.json(market, 200);
  },
);

markets.openapi(
  createRoute({
    method: "get",
    path: "/v1/markets/{marketId}/heatmap",
    summary: "Every active cell of a market with its multiplier",
    tags: ["surge"],
    request: { params: Params },
    responses: {
      200: { description: "Active cells", content: { "application/json": { schema: HeatmapSchema } } },
      404: problemDoc,
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const index = await marketIndex(c.env);
    const market = index.market(marketId);
    const cells = index.cellsOf(marketId);
    if (!market || !cells) throw new ProblemError(404, { code: "market-unknown", params: { market: marketId } });
    const zones = index.zonesOf(marketId);
    const ref = { id: market.id, version: market.version };
    const readings = await Promise.all(zones.map((zone) => zoneStub(c.env, market.id, zone).activeCells(ref, zone)));
    return c.json(
      {
        market: market.id,
        resolution: market.resolution,
        computedAt: new Date().toISOString(),
        cells: readings
          .flat()
          .map((r) => ({ cell: r.cell, multiplier: r.shownTenths / 10, supply: r.supply, demand: r.demand, seq: r.seq })),
      },
      200,
    );
  },
);

markets.openapi(
  createRoute({
    method: "post",
    path: "/v1/markets/{marketId}/archive",
    summary: "Archive a market: no longer priced or located, its area free, its history kept",
    description:
      "Events and quotes in its area are then refused as outside every market, and its live feeds stop changing. It stays listed with `archivedAt`; PUT it again to restore it (its area must still be free). Archiving again changes nothing.",
    tags: ["markets"],
    request: {
      params: Params,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z
              .object({ reason: z.string().trim().min(1).max(200).describe("why, for the audit log") })
              .meta({ example: { reason: "pilot ended" } }),
          },
        },
      },
    },
    responses: {
      200: { description: "The archived market", content: { "application/json": { schema: MarketSchema } } },
      503: { ...problemDoc, description: "The configuration store (Postgres) is unreachable; nothing changed" },
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const entry = audited(c, "market.archive", marketId, marketId, { reason });
    const market = await withDatabase(c, (db) =>
      withAudit(
        db,
        entry,
        (tx) => archiveMarket(tx, marketId, new Date()),
        (m) => m !== undefined,
      ),
    );
    if (!market) throw new ProblemError(404, { code: "market-unknown", params: { market: marketId } });
    await directoryStub(c.env).put(market);
    forgetMarkets();
    return c.json(market, 200);
  },
);

markets.openapi(
  createRoute({
    method: "delete",
    path: "/v1/markets/{marketId}",
    summary: "Delete an archived market's configuration (its versions and history stay)",
    description:
      "Only an archived market may be deleted (archive it first). Its events, minutes, quotes and rollups stay in history under its id, and every version of its configuration in market_versions; the id may be used again.",
    tags: ["markets"],
    request: { params: Params },
    responses: {
      200: {
        description: "Deleted",
        content: {
          "application/json": {
            schema: z.object({ deleted: z.literal(true), id: z.string(), versionsKept: z.number().int() }),
          },
        },
      },
      409: { ...problemDoc, description: "The market is active: archive it first" },
      503: { ...problemDoc, description: "The configuration store (Postgres) is unreachable; nothing changed" },
    },
  }),
  async (c) => {
    const { marketId } = c.req.valid("param");
    const entry = audited(c, "market.delete", marketId, marketId);
    const outcome = await withDatabase(c, (db) =>
      withAudit(
        db,
        entry,
        (tx) => deleteMarket(tx, marketId),
        (d) => "deleted" in d,
      ),
    );
    if ("refused" in outcome) {
      if (outcome.refused === "unknown") throw new ProblemError(404, { code: "market-unknown", params: { market: marketId } });
      throw new ProblemError(409, { code: "market-not-archived", params: { market: marketId } });
    }
    await directoryStub(c.env).remove(marketId);
    forgetMarkets();
    return c.json({ deleted: true as const, id: marketId, versionsKept: outcome.versionsKept }, 200);
  },
);

/** A geofence's refusal as a problem says it, in any language: its code and the figures behind it. */
function refusalText(refusal: GeofenceRefusal, geofence: Geofence, resolution: number): ProblemText {
  const e = refusal.estimate;
  switch (refusal.code) {
    case "geofence-too-detailed":
      return { code: refusal.code, params: { positions: geofencePositions(geofence), max: MAX_GEOFENCE_POSITIONS } };
    case "geofence-ambiguous":
      return { code: refusal.code, params: { reason: new Region(geofence).problem ?? "" } };
    case "geofence-empty":
      return { code: refusal.code };
    case "geofence-too-large": {
      const area = (e?.atLeast ?? 0) > MAX_MARKET_CELLS;
      return {
        code: refusal.code,
        params: {
          measure: area ? "area" : "outline",
          km2: Math.round(e?.areaKm2 ?? 0),
          km: Math.round(e?.perimeterKm ?? 0),
          cells: (area ? e?.atLeast : e?.outlineCells) ?? 0,
          resolution,
          max: MAX_MARKET_CELLS,
        },
      };
    }
  }
}

/** An estimate as a problem shows it: whole cells, km² to one decimal. */
function rounded(e: CellEstimate) {
  return {
    cells: e.cells,
    atLeast: e.atLeast,
    areaKm2: Math.round(e.areaKm2 * 10) / 10,
    perimeterKm: Math.round(e.perimeterKm * 10) / 10,
  };
}
