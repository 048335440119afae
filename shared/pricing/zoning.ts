import {
  cellToBoundary,
  cellToLatLng,
  cellToParent,
  getHexagonAreaAvg,
  getHexagonEdgeLengthAvg,
  gridDisk,
  gridDiskDistances,
  isValidCell,
  latLngToCell,
  POLYGON_TO_CELLS_FLAGS,
  polygonToCellsExperimental,
} from "h3-js";
import { type Box, geofencePolygons, geofencePositions, type LatLng, overlap, Region, segmentDistance } from "./geofence";
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
 *
 * **Coverage.** A market covers every point of its geofence (`geofence.ts` says which points
 * those are). Its cells are every cell that overlaps the geofence: H3's overlapping polyfill,
 * plus every cell the outline runs through (so no sliver is lost to H3's straight-line cell
 * edges). A cell the outline passes near is a *border* cell: a point there belongs to the
 * market only if the geofence holds it, so where two markets meet they share border cells and
 * each point goes to the market whose polygon contains it. Every other cell lies wholly inside,
 * and its points need no polygon test. Nothing outside a geofence counts as inside.
 */

/**
 * The revision of the coverage rule (which cells a geofence covers). Zones remember the revision
 * their cells were computed with and reconfigure when it changes. 1: cells whose centre is inside;
 * 2: every cell that overlaps the geofence, border cells decided point by point.
 */
export const COVERAGE_REVISION = 2;

/** The most positions a geofence may have across all its rings and polygons. */
export const MAX_GEOFENCE_POSITIONS = 20_000;

/** The largest hexagon at any resolution is ~1.21× the average (pentagons are smaller): a bound for the fewest cells an area needs. */
const LARGEST_CELL_AREA = 1.25;

/**
 * Cells a line of length L runs through: L × 0.735 / edge on average (Cauchy–Crofton: a cell's
 * perimeter over π times its area, for a hexagon 6a / (π · 2.598a²)).
 */
const OUTLINE_CELLS_PER_EDGE = 0.735;

/** The cells of a geofence at a resolution, and which of them its outline passes near. */
export interface Coverage {
  cells: string[];
  /** Cells within one cell of the outline: a point there is tested against the geofence. */
  border: Set<string>;
}

/**
 * Every pricing cell a geofence covers at a resolution: each cell that overlaps it. The one
 * coverage rule: the market index, zone configuration and the markets route all use it.
 *
 * @example geofenceCells(manhattan, 8).length // 70 (54 with centre containment)
 */
export function geofenceCells(geofence: Geofence, resolution: number): string[] {
  return coverage(geofence, resolution).cells;
}

/**
 * The cells of a geofence and its border cells (see the header). The outline is walked in steps
 * of half a cell edge: every cell it runs through then holds a step or is next to one that does,
 * so those cells and their neighbours are the border; neighbours not touching the geofence
 * (their edges densified, within 0.2% of an edge) are left out.
 */
export function coverage(geofence: Geofence, resolution: number, region = new Region(geofence)): Coverage {
  const cells = new Set<string>();
  for (const polygon of geofencePolygons(geofence)) {
    for (const cell of polygonToCellsExperimental(polygon, resolution, POLYGON_TO_CELLS_FLAGS.containmentOverlapping, true))
      cells.add(cell);
  }
  const edgeKm = getHexagonEdgeLengthAvg(resolution, "km");
  const traced = traceOutline(region, resolution, edgeKm / 2);
  const border = new Set<string>();
  for (const cell of traced) {
    cells.add(cell);
    for (const near of gridDisk(cell, 1)) border.add(near);
  }
  for (const cell of border) {
    if (!cells.has(cell) && touches(region, cell, resolution, edgeKm * 0.002)) cells.add(cell);
  }
  for (const cell of border) if (!cells.has(cell)) border.delete(cell);
  return { cells: [...cells], border };
}

/** The cells holding a point of the outline, sampled at most `stepKm` apart along every edge. */
function traceOutline(region: Region, resolution: number, stepKm: number): Set<string> {
  const traced = new Set<string>();
  for (const polygon of region.polygons) {
    const { edges } = polygon;
    for (let e = 0; e < edges.length; e += 4) {
      const x1 = edges[e] as number;
      const y1 = edges[e + 1] as number;
      const x2 = edges[e + 2] as number;
      const y2 = edges[e + 3] as number;
      // An upper bound of the edge's length on the ground: a degree of longitude is longest nearest the equator.
      const widest = y1 * y2 <= 0 ? 1 : Math.cos(Math.min(Math.abs(y1), Math.abs(y2)) * (Math.PI / 180));
      const km = KM_PER_DEGREE * Math.hypot(y2 - y1, (x2 - x1) * widest);
      const steps = Math.max(1, Math.ceil(km / stepKm));
      let last = "";
      for (let i = 0; i <= steps; i++) {
        const cell = latLngToCell(y1 + ((y2 - y1) * i) / steps, normalLng(x1 + ((x2 - x1) * i) / steps), resolution);
        if (cell !== last) traced.add(cell);
        last = cell;
      }
    }
  }
  return traced;
}

const KM_PER_DEGREE = (6371.0088 * Math.PI) / 180;

/**
 * True when a cell meets the geofence: its outline comes within `marginKm` of the geofence's,
 * or one lies inside the other. Cell edges are great-circle arcs, drawn here in four pieces each,
 * and distances are measured in a plane around the cell, in km.
 */
function touches(region: Region, cell: string, resolution: number, marginKm: number): boolean {
  const [lat0, lng0] = cellToLatLng(cell);
  const outline = densify(cellToBoundary(cell), 4);
  const kx = KM_PER_DEGREE * Math.max(Math.cos(lat0 * (Math.PI / 180)), 1e-6);
  for (const polygon of region.polygons) {
    // The cell in the polygon's frame, its longitudes continuous around its centre.
    const middle = (polygon.box.minLng + polygon.box.maxLng) / 2;
    const x0 = lng0 + 360 * Math.round((middle - lng0) / 360);
    const xs = outline.map(([, lng]) => lng + 360 * Math.round((x0 - lng) / 360));
    const ys = outline.map(([lat]) => lat);
    const pad = { lng: marginKm / kx, lat: marginKm / KM_PER_DEGREE };
    const box: Box = {
      minLng: Math.min(...xs) - pad.lng,
      maxLng: Math.max(...xs) + pad.lng,
      minLat: Math.min(...ys) - pad.lat,
      maxLat: Math.max(...ys) + pad.lat,
    };
    let near = false;
    const { edges } = polygon;
    const X = (x: number) => (x - x0) * kx;
    const Y = (y: number) => (y - lat0) * KM_PER_DEGREE;
    polygon.edgesNear(box, (e) => {
      const ax = X(edges[e] as number);
      const ay = Y(edges[e + 1] as number);
      const bx = X(edges[e + 2] as number);
      const by = Y(edges[e + 3] as number);
      for (let i = 0; i < xs.length && !near; i++) {
        const j = (i + 1) % xs.length;
        near =
          segmentDistance(ax, ay, bx, by, X(xs[i] as number), Y(ys[i] as number), X(xs[j] as number), Y(ys[j] as number)) <=
          marginKm;
      }
      return near;
    });
    if (near) return true;
    // Outlines apart: the cell is wholly inside or outside the polygon, or holds all of it.
    if (polygon.contains(xs[0] as number, ys[0] as number)) return true;
    const [first] = polygon.rings;
    if (first && latLngToCell(first[1] as number, normalLng(first[0] as number), resolution) === cell) return true;
  }
  return false;
}

/** A cell's boundary with each great-circle edge cut into `pieces` (points on the arc, via unit vectors). */
function densify(boundary: number[][], pieces: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const unit = ([lat = 0, lng = 0]: number[]) => {
    const p = lat * (Math.PI / 180);
    const l = lng * (Math.PI / 180);
    return [Math.cos(p) * Math.cos(l), Math.cos(p) * Math.sin(l), Math.sin(p)] as const;
  };
  for (let i = 0; i < boundary.length; i++) {
    const a = unit(boundary[i] ?? []);
    const b = unit(boundary[(i + 1) % boundary.length] ?? []);
    for (let k = 0; k < pieces; k++) {
      const t = k / pieces;
      const x = a[0] + (b[0] - a[0]) * t;
      const y = a[1] + (b[1] - a[1]) * t;
      const z = a[2] + (b[2] - a[2]) * t;
      out.push([Math.atan2(z, Math.hypot(x, y)) * (180 / Math.PI), Math.atan2(y, x) * (180 / Math.PI)]);
    }
  }
  return out;
}

function normalLng(x: number): number {
  return x >= -180 && x <= 180 ? x : ((((x + 180) % 360) + 360) % 360) - 180;
}

/** A geofence's size at a resolution, known before any of its cells is computed. */
export interface CellEstimate {
  /** Expected cells: the area over a cell's average area, plus the outline's cells that stick out. */
  cells: number;
  /** Fewest cells that could cover the area, even were every cell as large as the largest. */
  atLeast: number;
  /** Cells the outline runs through, on average. */
  outlineCells: number;
  areaKm2: number;
  perimeterKm: number;
  positions: number;
}

/**
 * How many cells a geofence would cover, from its area, perimeter and positions alone: a few
 * milliseconds even for a continent, where computing its cells would take seconds.
 *
 * @example estimateCells(manhattan, 8) // { cells: 71, atLeast: 42, areaKm2: 38.9, … } (it covers 70)
 */
export function estimateCells(geofence: Geofence, resolution: number, region = new Region(geofence)): CellEstimate {
  const areaKm2 = region.areaKm2;
  const perimeterKm = region.perimeterKm;
  const cellKm2 = getHexagonAreaAvg(resolution, "km2");
  const outlineCells = (perimeterKm * OUTLINE_CELLS_PER_EDGE) / getHexagonEdgeLengthAvg(resolution, "km");
  return {
    // About half the outline's cells have their centre outside and add to the centres inside.
    cells: Math.ceil(areaKm2 / cellKm2 + outlineCells / 2 + region.polygons.length),
    atLeast: Math.ceil(areaKm2 / (cellKm2 * LARGEST_CELL_AREA)),
    outlineCells: Math.ceil(outlineCells),
    areaKm2,
    perimeterKm,
    positions: geofencePositions(geofence),
  };
}

/** Why a geofence is refused before its cells are computed. */
export interface GeofenceRefusal {
  code: "geofence-too-detailed" | "geofence-ambiguous" | "geofence-empty" | "geofence-too-large";
  detail: string;
  estimate?: CellEstimate;
}

/**
 * Checks a geofence cheaply, before any cell is computed: its positions are counted first, then
 * its area and outline are measured. Refused: too many positions, a ring around a pole or a
 * polygon spanning half the globe's longitudes, no area, or clearly more than `maxCells`
 * cells (even the largest cells could not cover its area with fewer, or its outline alone
 * runs through more).
 *
 * @example geofenceRefusal(africa, 8, 50_000) // { code: "geofence-too-large", detail: "… at least 41,000,000 cells …" }
 */
export function geofenceRefusal(geofence: Geofence, resolution: number, maxCells: number): GeofenceRefusal | undefined {
  const positions = geofencePositions(geofence);
  if (positions > MAX_GEOFENCE_POSITIONS)
    return {
      code: "geofence-too-detailed",
      detail: `The geofence has ${positions} positions; at most ${MAX_GEOFENCE_POSITIONS} are allowed: simplify its outline.`,
    };
  const region = new Region(geofence);
  const problem = region.problem;
  if (problem)
    return {
      code: "geofence-ambiguous",
      detail: `The geofence cannot be read unambiguously (${problem}): cut it into polygons that each span less than 180° of longitude and circle no pole.`,
    };
  const estimate = estimateCells(geofence, resolution, region);
  if (estimate.areaKm2 < 1e-6) return { code: "geofence-empty", detail: "The geofence encloses no area.", estimate };
  const km2 = Math.round(estimate.areaKm2).toLocaleString("en");
  if (estimate.atLeast > maxCells)
    return {
      code: "geofence-too-large",
      detail: `The geofence covers ${km2} km²: at least ${estimate.atLeast.toLocaleString("en")} cells at resolution ${resolution} (about ${estimate.cells.toLocaleString("en")}); at most ${maxCells.toLocaleString("en")} are allowed. Use a coarser resolution or a smaller geofence.`,
      estimate,
    };
  if (estimate.outlineCells > maxCells)
    return {
      code: "geofence-too-large",
      detail: `The geofence's outline (${Math.round(estimate.perimeterKm).toLocaleString("en")} km) alone runs through about ${estimate.outlineCells.toLocaleString("en")} cells at resolution ${resolution}; at most ${maxCells.toLocaleString("en")} are allowed. Simplify the outline or use a coarser resolution.`,
      estimate,
    };
  return undefined;
}

/** The distinct zones of some cells. */
export function zonesOfCells(cells: Iterable<string>, zoneResolution: number): string[] {
  const zones = new Set<string>();
  for (const cell of cells) zones.add(cellToParent(cell, zoneResolution));
  return [...zones];
}

/** Every zone of a market under the current coverage. */
export function marketZones(market: Pick<Market, "geofence" | "resolution" | "zoneResolution">): string[] {
  return zonesOfCells(geofenceCells(market.geofence, market.resolution), market.zoneResolution);
}

/** The zone a cell belongs to. */
export function zoneOf(cell: string, zoneResolution: number): string {
  return cellToParent(cell, zoneResolution);
}

/** Neighbour rings of a cell: rings[0] = [cell], rings[d] = the cells d steps away. */
export function neighbourRings(cell: string, rings: number): string[][] {
  return gridDiskDistances(cell, rings);
}

/** True for a valid H3 cell index string. */
export function isCell(value: string): boolean {
  return isValidCell(value);
}

interface IndexedMarket {
  market: Market;
  region: Region;
  cells: Set<string>;
  zones: string[];
}

/** A market that may hold a point of a cell: wholly (every point of the cell is inside it) or point by point. */
interface Candidate {
  at: IndexedMarket;
  whole: boolean;
}

/** The markets at one resolution: for each cell, its one whole owner or the candidates in market order. */
interface Grid {
  resolution: number;
  owners: Map<string, IndexedMarket | Candidate[]>;
  boxes: Box[];
}

export interface Location {
  market: Market;
  cell: string;
  zone: string;
}

/** Where a new geofence would overlap an existing market. */
export interface Overlap {
  market: Market;
  at: LatLng;
}

/**
 * Finds the market, cell and zone of a point. Built once per set of markets (it computes every
 * market's coverage). A lookup is a box test, one H3 index and one map lookup per resolution in
 * use; only in a border cell is the point tested against the geofence. Where markets share a
 * cell, the first market in order whose geofence holds the point wins.
 */
export class MarketIndex {
  readonly #markets: IndexedMarket[];
  readonly #byId = new Map<string, IndexedMarket>();
  readonly #grids: Grid[] = [];

  constructor(markets: readonly Market[]) {
    this.#markets = markets.map((market) => {
      const region = new Region(market.geofence);
      const { cells, border } = coverage(market.geofence, market.resolution, region);
      // Counts as served now: a market stored under an earlier coverage rule had fewer cells.
      const zones = zonesOfCells(cells, market.zoneResolution);
      const indexed: IndexedMarket = {
        market: { ...market, cellCount: cells.length, zoneCount: zones.length },
        region,
        cells: new Set(cells),
        zones,
      };
      this.#byId.set(market.id, indexed);
      // An archived market is listed, never located: no point or cell is its any more.
      if (market.archivedAt) return indexed;
      let grid = this.#grids.find((g) => g.resolution === market.resolution);
      if (!grid) {
        grid = { resolution: market.resolution, owners: new Map(), boxes: [] };
        this.#grids.push(grid);
      }
      grid.boxes.push(...region.polygons.map((p) => p.box));
      for (const cell of cells) {
        const whole = !border.has(cell);
        const owner = grid.owners.get(cell);
        if (owner === undefined) grid.owners.set(cell, whole ? indexed : [{ at: indexed, whole }]);
        else if (Array.isArray(owner) && !owner[owner.length - 1]?.whole) owner.push({ at: indexed, whole });
      }
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

  /** The zones (one Durable Object each) of a market; none for an unknown market. */
  zonesOf(id: string): readonly string[] {
    return this.#byId.get(id)?.zones ?? [];
  }

  /** The market, cell and zone of a point, or undefined when no market's geofence holds it. */
  locate(lat: number, lng: number): Location | undefined {
    for (const grid of this.#grids) {
      if (!grid.boxes.some((box) => inBox(box, lat, lng))) continue;
      const cell = latLngToCell(lat, lng, grid.resolution);
      const owner = grid.owners.get(cell);
      if (owner === undefined) continue;
      let found: IndexedMarket | undefined;
      if (!Array.isArray(owner)) found = owner;
      else {
        for (const c of owner) {
          if (c.whole || c.at.region.contains(lat, lng)) {
            found = c.at;
            break;
          }
        }
      }
      if (found) return { market: found.market, cell, zone: cellToParent(cell, found.market.zoneResolution) };
    }
    return undefined;
  }

  /**
   * The market a cell (at that market's resolution) belongs to. A border cell shared by two
   * markets belongs to the one whose geofence holds the cell's centre, else to the first.
   */
  marketOfCell(cell: string): Market | undefined {
    for (const grid of this.#grids) {
      const owner = grid.owners.get(cell);
      if (owner === undefined) continue;
      if (!Array.isArray(owner)) return owner.market;
      const [lat, lng] = cellToLatLng(cell);
      return (owner.find((c) => c.whole || c.at.region.contains(lat, lng)) ?? owner[0])?.at.market;
    }
    return undefined;
  }
}

/**
 * The first of `markets` whose area a geofence overlaps, with a point of the overlap; sharing a
 * border is not overlapping. Polygons are compared, not cells: a market may not claim any part of
 * another's area, however small.
 *
 * @example overlappingMarket(brooklyn, [manhattan]) // undefined: they meet along the East River
 */
export function overlappingMarket(geofence: Geofence, markets: readonly Market[]): Overlap | undefined {
  const region = new Region(geofence);
  for (const market of markets) {
    if (market.archivedAt) continue; // an archived market claims no area
    const at = overlap(region, new Region(market.geofence));
    if (at) return { market, at };
  }
  return undefined;
}

/** True when the point is in the box, trying its longitude and the same meridian a turn either way. */
function inBox(box: Box, lat: number, lng: number): boolean {
  if (lat < box.minLat || lat > box.maxLat) return false;
  return (
    (lng >= box.minLng && lng <= box.maxLng) ||
    (lng + 360 >= box.minLng && lng + 360 <= box.maxLng) ||
    (lng - 360 >= box.minLng && lng - 360 <= box.maxLng)
  );
}
