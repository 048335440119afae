import { cellToBoundary, cellToLatLng, latLngToCell, polygonToCells } from "h3-js";
import type { LatLng, Market } from "./api";

/**
 * A market drawn without map tiles: its geofence and pricing cells projected onto a plane in
 * kilometres. An equirectangular projection around the market's middle latitude is exact
 * enough at city scale (under 1% over 50 km) and keeps the scale bar honest.
 */

const KM_PER_DEGREE = 111.32;

export interface CellShape {
  cell: string;
  /** SVG path data, in km. */
  path: string;
  centre: { x: number; y: number };
}

export interface MarketGeometry {
  cells: CellShape[];
  byCell: Map<string, CellShape>;
  geofencePath: string;
  /** SVG viewBox, in km, holding every cell with a margin, and a strip below them for the scale bar. */
  view: { x: number; y: number; width: number; height: number };
  /** Where the scale bar goes: the strip's left end, its baseline and a text size, in km. */
  scale: { x: number; y: number; text: number };
  /** A hexagon's width in km, to size labels. */
  cellSize: number;
  project(at: LatLng): { x: number; y: number };
  unproject(x: number, y: number): LatLng;
  /** The market's pricing cell at a point, if the point is in one. */
  cellAt(at: LatLng): string | undefined;
  centreOf(cell: string): LatLng;
}

/** Cells are chosen as the server chooses them (centre inside the geofence), so the map shows exactly the priced cells. */
export function marketGeometry(market: Market): MarketGeometry {
  const polygons = market.geofence.type === "Polygon" ? [market.geofence.coordinates] : market.geofence.coordinates;
  const cellIds = [...new Set(polygons.flatMap((polygon) => polygonToCells(polygon as number[][][], market.resolution, true)))];
  const boundaries = cellIds.map((cell) => cellToBoundary(cell, true));

  // Bounds over cells and geofence alike: edge cells stick out of the geofence, and its outline out of them.
  const box = bounds([...boundaries.flat(), ...polygons.flat(2)]);
  const lat0 = (box.minLat + box.maxLat) / 2;
  const lng0 = (box.minLng + box.maxLng) / 2;
  const kx = KM_PER_DEGREE * Math.cos((lat0 * Math.PI) / 180);
  const project = ({ lat, lng }: LatLng) => ({ x: (lng - lng0) * kx, y: -(lat - lat0) * KM_PER_DEGREE });
  const unproject = (x: number, y: number): LatLng => ({ lat: lat0 - y / KM_PER_DEGREE, lng: lng0 + x / kx });

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

  return {
    cells,
    byCell: new Map(cells.map((c) => [c.cell, c])),
    geofencePath: polygons.flat().map(ringPath).join(""),
    view: {
      x: topLeft.x - margin,
      y: topLeft.y - margin,
      width: bottomRight.x - topLeft.x + 2 * margin,
      height: bottomRight.y - topLeft.y + 2 * margin + strip,
    },
    scale: { x: topLeft.x, y: bottomRight.y + margin + strip - text * 0.5, text },
    cellSize: firstXs.length > 0 ? Math.max(...firstXs) - Math.min(...firstXs) : 1,
    project,
    unproject,
    cellAt(at) {
      const cell = latLngToCell(at.lat, at.lng, market.resolution);
      return cellSet.has(cell) ? cell : undefined;
    },
    centreOf(cell) {
      const [lat, lng] = cellToLatLng(cell);
      return { lat, lng };
    },
  };
}

/** Loops rather than Math.min(...spread): a large market has hundreds of thousands of points. */
function bounds(points: number[][]) {
  const box = { minLat: 90, maxLat: -90, minLng: 180, maxLng: -180 };
  for (const [lng = 0, lat = 0] of points) {
    box.minLat = Math.min(box.minLat, lat);
    box.maxLat = Math.max(box.maxLat, lat);
    box.minLng = Math.min(box.minLng, lng);
    box.maxLng = Math.max(box.maxLng, lng);
  }
  return box;
}
