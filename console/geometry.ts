import { cellToBoundary, cellToLatLng, latLngToCell } from "h3-js";
import { geofencePolygons, Region } from "../shared/pricing/geofence";
import { geofenceCells } from "../shared/pricing/zoning";
import type { LatLng, Market } from "./api";

/**
 * A market drawn without map tiles: its geofence and pricing cells projected onto a plane in
 * kilometres. An equirectangular projection around the market's middle latitude is exact
 * enough at city scale (under 1% over 50 km) and keeps the scale bar honest. Longitudes are
 * taken on the geofence's side of the antimeridian, so a market across it is drawn in one piece.
 */

const KM_PER_DEGREE = 111.32;

export interface CellShape {
  cell: string;
  /** SVG path data, in km. */
  path: string;
  centre: { x: number; y: number };
}

export interface MarketGeometry {
  /** The market drawn. */
  marketId: string;
  cells: CellShape[];
  byCell: Map<string, CellShape>;
  geofencePath: string;
  /** The view outside the geofence (even-odd): drawn over the cells, it pales what border cells cover but the market does not serve. */
  outsidePath: string;
  /** SVG viewBox, in km, holding every cell with a margin, and a strip below them for the scale bar. */
  view: { x: number; y: number; width: number; height: number };
  /** Where the scale bar goes: the strip's left end, its baseline and a text size, in km. */
  scale: { x: number; y: number; text: number };
  /** A hexagon's width in km, to size labels. */
  cellSize: number;
  project(at: LatLng): { x: number; y: number };
  unproject(x: number, y: number): LatLng;
  /** The market's pricing cell at a point, if the market serves the point (as the platform decides it). */
  cellAt(at: LatLng): string | undefined;
  /** A point of the cell the market serves: its centre when the geofence holds it, else the served point nearest the centre. */
  pointOf(cell: string): LatLng;
}

/** The cells are the server's own (`geofenceCells`), and a point is served as the server decides: a cell of the market, inside the geofence. */
export function marketGeometry(market: Market): MarketGeometry {
  const polygons = geofencePolygons(market.geofence);
  const region = new Region(market.geofence);
  const cellIds = geofenceCells(market.geofence, market.resolution);
  // Longitudes near the geofence's first position: across the antimeridian, 179.9° and −179.9° are neighbours.
  const ref = polygons[0]?.[0]?.[0]?.[0] ?? 0;
  const near = (lng: number) => lng + 360 * Math.round((ref - lng) / 360);
  const boundaries = cellIds.map((cell) => cellToBoundary(cell, true).map(([lng = 0, lat = 0]) => [near(lng), lat]));
  const outlines = polygons.map((polygon) => polygon.map((ring) => ring.map(([lng = 0, lat = 0]) => [near(lng), lat])));

  // Bounds over cells and geofence alike: edge cells stick out of the geofence, and its outline out of them.
  const box = bounds([...boundaries.flat(), ...outlines.flat(2)]);
  const lat0 = (box.minLat + box.maxLat) / 2;
  const lng0 = (box.minLng + box.maxLng) / 2;
  const kx = KM_PER_DEGREE * Math.cos((lat0 * Math.PI) / 180);
  const project = ({ lat, lng }: LatLng) => ({ x: (near(lng) - lng0) * kx, y: -(lat - lat0) * KM_PER_DEGREE });
  const unproject = (x: number, y: number): LatLng => {
    const lng = lng0 + x / kx;
    return { lat: lat0 - y / KM_PER_DEGREE, lng: ((((lng + 180) % 360) + 360) % 360) - 180 };
  };

  const ringPath = (ring: number[][]) =>
    `${ring
      .map(([lng = 0, lat = 0], i) => {
        const p = project({ lat, lng });
        return `${i === 0 ? "M" : "L"}${p.x.toFixed(3)} ${p.y.toFixed(3)}`;
      })
      .join("")}Z`;

  const cells = cellIds.map((cell, i): CellShape => {
    const [lat, lng] = cellToLatLng(cell);
    return { cell, path: ringPath(boundaries[i] ?? []), centre: project({ lat, lng }) };
  });
  const topLeft = project({ lat: box.maxLat, lng: box.minLng });
  const bottomRight = project({ lat: box.minLat, lng: box.maxLng });
  const span = Math.max(bottomRight.x - topLeft.x, bottomRight.y - topLeft.y);
  const margin = span * 0.03;
  const text = span * 0.02;
  const strip = text * 2.6;
  const firstXs = (boundaries[0] ?? []).map(([lng = 0]) => (lng - lng0) * kx);
  const cellSet = new Set(cellIds);
  const view = {
    x: topLeft.x - margin,
    y: topLeft.y - margin,
    width: bottomRight.x - topLeft.x + 2 * margin,
    height: bottomRight.y - topLeft.y + 2 * margin + strip,
  };
  const geofencePath = outlines.flat().map(ringPath).join("");
  const cellAt = (at: LatLng) => {
    const cell = latLngToCell(at.lat, at.lng, market.resolution);
    return cellSet.has(cell) && region.contains(at.lat, at.lng) ? cell : undefined;
  };
  // Wider than any aspect ratio the map is shown at, so no uncovered strip appears at its sides.
  const pad = Math.max(view.width, view.height) * 2;
  const frame = `M${view.x - pad} ${view.y - pad}H${view.x + view.width + pad}V${view.y + view.height + pad}H${view.x - pad}Z`;

  return {
    marketId: market.id,
    cells,
    byCell: new Map(cells.map((c) => [c.cell, c])),
    geofencePath,
    outsidePath: frame + geofencePath,
    view,
    scale: { x: topLeft.x, y: bottomRight.y + margin + strip - text * 0.5, text },
    cellSize: firstXs.length > 0 ? Math.max(...firstXs) - Math.min(...firstXs) : 1,
    project,
    unproject,
    cellAt,
    pointOf(cell) {
      const [lat, lng] = cellToLatLng(cell);
      if (region.contains(lat, lng)) return { lat, lng };
      // A border cell whose centre is outside: the nearest of a grid of its points that is served.
      const corners = cellToBoundary(cell).map(([a = 0, b = 0]) => ({ lat: a, lng: lng + shortWay(b - lng) }));
      const lats = corners.map((c) => c.lat);
      const lngs = corners.map((c) => c.lng);
      const [south, north, west, east] = [Math.min(...lats), Math.max(...lats), Math.min(...lngs), Math.max(...lngs)];
      let best: LatLng = { lat, lng };
      let bestDistance = Number.POSITIVE_INFINITY;
      const steps = 24;
      for (let i = 0; i <= steps; i++) {
        for (let j = 0; j <= steps; j++) {
          const at = { lat: south + ((north - south) * i) / steps, lng: west + ((east - west) * j) / steps };
          const distance = Math.hypot(at.lat - lat, (at.lng - lng) * Math.cos((lat * Math.PI) / 180));
          if (distance >= bestDistance) continue;
          const wrapped = { lat: at.lat, lng: ((((at.lng + 180) % 360) + 360) % 360) - 180 };
          if (cellAt(wrapped) !== cell) continue;
          best = wrapped;
          bestDistance = distance;
        }
      }
      return best;
    },
  };
}

/** A longitude difference taken the short way round, in (−180, 180]. */
function shortWay(d: number): number {
  return d - 360 * Math.round(d / 360);
}

/** Loops rather than Math.min(...spread): a large market has hundreds of thousands of points. */
function bounds(points: number[][]) {
  const inf = Number.POSITIVE_INFINITY;
  const box = { minLat: inf, maxLat: -inf, minLng: inf, maxLng: -inf };
  for (const [lng = 0, lat = 0] of points) {
    box.minLat = Math.min(box.minLat, lat);
    box.maxLat = Math.max(box.maxLat, lat);
    box.minLng = Math.min(box.minLng, lng);
    box.maxLng = Math.max(box.maxLng, lng);
  }
  return box;
}
