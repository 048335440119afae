import { cellToLatLng, getHexagonEdgeLengthAvg, gridDisk, isValidCell, latLngToCell, UNITS } from "h3-js";
import { greatCircleMeters } from "../pricing/trip";

/**
 * A subscription's area as the market's pricing cells: listed cells (each must be one), or the
 * cells whose centres lie within a radius of a point (and always the point's own cell).
 *
 * @example areaCells({ lat: 40.758, lng: -73.9855, radiusKm: 1 }, nycCells, 8) // { cells: [7 to 19 cells] }
 */
export function areaCells(
  area: { lat: number; lng: number; radiusKm: number } | { cells: readonly string[] },
  marketCells: ReadonlySet<string>,
  resolution: number,
): { cells: string[] } | { notInMarket: string } | { empty: true } {
  if ("cells" in area) {
    for (const cell of area.cells) if (!isValidCell(cell) || !marketCells.has(cell)) return { notInMarket: cell };
    return { cells: [...new Set(area.cells)] };
  }
  const centre = latLngToCell(area.lat, area.lng, resolution);
  const spacingKm = getHexagonEdgeLengthAvg(resolution, UNITS.km) * Math.sqrt(3);
  const k = Math.ceil(area.radiusKm / spacingKm) + 1;
  const cells = gridDisk(centre, k).filter((cell) => {
    if (!marketCells.has(cell)) return false;
    if (cell === centre) return true;
    const [lat, lng] = cellToLatLng(cell);
    return greatCircleMeters({ lat: area.lat, lng: area.lng }, { lat, lng }) <= area.radiusKm * 1000;
  });
  return cells.length === 0 ? { empty: true } : { cells };
}
