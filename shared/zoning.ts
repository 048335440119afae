import { cellToParent, gridDiskDistances, isValidCell, latLngToCell, polygonToCells } from "h3-js";
import type { Geofence, Market } from "./market";

/**
 * Markets cut into H3 cells and zones.
 *
 * A *cell* (at the market's `resolution`, 8 by default: ~0.74 km², 460 m edge) is the unit of
 * pricing. A *zone* is the cell's parent at `zoneResolution` (two levels up by default: 49
 * cells, ~36 km²) and is one Durable Object. Zones trade two limits against each other:
 * coarser zones mean fewer objects per ingest batch and fewer cells whose neighbours live in
 * another object; finer zones spread load, since one object serves about 1,000 requests/s.
 * Ingest sends one call per zone per batch, so a zone of 49 cells absorbs tens of thousands
 * of events per second in batches; a city-wide hot spot still spreads over several zones.
 */

/**
 * The revision of the coverage rule (which cells a geofence covers). Zones remember the revision
 * their cells were computed with and reconfigure when it changes. 1: cells whose centre is inside;
 * 2: every cell that overlaps the geofence.
 */
export const COVERAGE_REVISION = 2;

/** Every pricing cell of a geofence at a resolution (cells whose centre lies inside). */
export function geofenceCells(geofence: Geofence, resolution: number): string[] {
  const polygons = geofence.type === "Polygon" ? [geofence.coordinates] : geofence.coordinates;
  const cells = new Set<string>();
  for (const polygon of polygons) {
    for (const cell of polygonToCells(polygon as number[][][], resolution, true)) cells.add(cell);
  }
  return [...cells];
}

/** The zone a cell belongs to. */
export function zoneOf(cell: string, zoneResolution: number): string {
  return cellToParent(cell, zoneResolution);
}

/** A zone Durable Object's name: zones never span markets. */
export function zoneKey(marketId: string, zone: string): string {
  return `${marketId}:${zone}`;
}

/** Neighbour rings of a cell: rings[0] = [cell], rings[d] = the cells d steps away. */
export function neighbourRings(cell: string, rings: number): string[][] {
  return gridDiskDistances(cell, rings);
}

/** True for a valid H3 cell index string. */
export function isCell(value: string): boolean {
  return isValidCell(value);
}

interface BoundingBox {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

interface IndexedMarket {
  market: Market;
  cells: Set<string>;
  box: BoundingBox;
}

export interface Location {
  market: Market;
  cell: string;
  zone: string;
}

/**
 * Finds the market, cell and zone of a point. Built once per set of markets (it computes
 * every market's cells); a lookup is a bounding-box test and one H3 index per candidate.
 */
export class MarketIndex {
  readonly #markets: IndexedMarket[];
  readonly #byId = new Map<string, IndexedMarket>();

  constructor(markets: readonly Market[]) {
    this.#markets = markets.map((market) => {
      const indexed = { market, cells: new Set(geofenceCells(market.geofence, market.resolution)), box: boxOf(market.geofence) };
      this.#byId.set(market.id, indexed);
      return indexed;
    });
  }

  get markets(): Market[] {
    return this.#markets.map((m) => m.market);
  }

  market(id: string): Market | undefined {
    return this.#byId.get(id)?.market;
  }

  /** The cells of a market, or undefined for an unknown market. */
  cellsOf(id: string): ReadonlySet<string> | undefined {
    return this.#byId.get(id)?.cells;
  }

  locate(lat: number, lng: number): Location | undefined {
    for (const m of this.#markets) {
      const b = m.box;
      if (lat < b.minLat || lat > b.maxLat || lng < b.minLng || lng > b.maxLng) continue;
      const cell = latLngToCell(lat, lng, m.market.resolution);
      if (m.cells.has(cell)) return { market: m.market, cell, zone: cellToParent(cell, m.market.zoneResolution) };
    }
    return undefined;
  }

  /** The market a cell (at that market's resolution) belongs to. */
  marketOfCell(cell: string): Market | undefined {
    for (const m of this.#markets) if (m.cells.has(cell)) return m.market;
    return undefined;
  }
}

/** The box around a geofence, widened by a cell's reach so edge cells whose centre is inside still match. */
function boxOf(geofence: Geofence): BoundingBox {
  const box = { minLat: 90, maxLat: -90, minLng: 180, maxLng: -180 };
  const polygons = geofence.type === "Polygon" ? [geofence.coordinates] : geofence.coordinates;
  for (const polygon of polygons) {
    for (const [lng = 0, lat = 0] of polygon[0] ?? []) {
      box.minLat = Math.min(box.minLat, lat);
      box.maxLat = Math.max(box.maxLat, lat);
      box.minLng = Math.min(box.minLng, lng);
      box.maxLng = Math.max(box.maxLng, lng);
    }
  }
  const pad = 0.1; // degrees: more than a resolution-5 cell's radius
  return { minLat: box.minLat - pad, maxLat: box.maxLat + pad, minLng: box.minLng - pad, maxLng: box.maxLng + pad };
}
