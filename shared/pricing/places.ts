import { cellToLatLng, latLngToCell } from "h3-js";
import { ExpiringMap } from "../kit/expiring-map";
import { greatCircleKm } from "./geofence";

/**
 * Named places of a market (venues, stations, districts, landmarks): what an operator and a rider
 * recognise where a cell id means nothing. The map labels them, the "surging now" list and search
 * name cells by them, and a rider's sentence says "demand near Madison Square Garden". Pure.
 */

export const PLACE_KINDS = ["venue", "station", "district", "landmark"] as const;

/** A named place (its schema is `PlaceSchema` in market.ts: this file stays free of zod, for the console). */
export interface Place {
  id: string;
  name: string;
  kind: (typeof PLACE_KINDS)[number];
  lat: number;
  lng: number;
  /** How far from its point the place still names where you are. */
  radiusM: number;
}

/** At most this many places a market. */
export const MAX_PLACES = 300;

/**
 * The place a point is at or near: the nearest whose radius reaches it.
 *
 * @example placeNear(places, 40.7505, -73.9934)?.name // "Madison Square Garden"
 */
export function placeNear(places: readonly Place[] | undefined, lat: number, lng: number): Place | undefined {
  let best: Place | undefined;
  let bestKm = Number.POSITIVE_INFINITY;
  for (const place of places ?? []) {
    const km = greatCircleKm(lat, lng, place.lat, place.lng);
    if (km * 1000 <= place.radiusM && km < bestKm) {
      best = place;
      bestKm = km;
    }
  }
  return best;
}

/** The places whose point lies in a cell, nearest its centre first (Times Square and Grand Central may share one). */
export function placesInCell(places: readonly Place[] | undefined, cell: string, resolution: number): Place[] {
  const [lat, lng] = cellToLatLng(cell);
  return (places ?? [])
    .filter((p) => latLngToCell(p.lat, p.lng, resolution) === cell)
    .sort((a, b) => greatCircleKm(lat, lng, a.lat, a.lng) - greatCircleKm(lat, lng, b.lat, b.lng));
}

/** The place that names a cell: the one inside it nearest its centre, else the nearest reaching its centre. */
export function placeOfCell(places: readonly Place[] | undefined, cell: string, resolution: number): Place | undefined {
  if (!places || places.length === 0) return undefined;
  let named = placeByCell.get(places);
  if (!named) {
    named = new ExpiringMap({ maxEntries: 20_000 });
    placeByCell.set(places, named);
  }
  return named.getOrInsertComputed(`${resolution}:${cell}`, () => nameCell(places, cell, resolution) ?? null) ?? undefined;
}

/**
 * What names each cell, by the market's list of places (a market's list is one array until its
 * next version): every quote asks for its pickup cell's name, and finding it costs a walk over
 * the places with an H3 index each. 20,000 cells is a large city's.
 */
const placeByCell = new WeakMap<readonly Place[], ExpiringMap<string, Place | null>>();

function nameCell(places: readonly Place[], cell: string, resolution: number): Place | undefined {
  const [inside] = placesInCell(places, cell, resolution);
  if (inside) return inside;
  const [lat, lng] = cellToLatLng(cell);
  return placeNear(places, lat, lng);
}

/** Places whose name holds the query, accents and case aside ("ben thanh" finds "Chợ Bến Thành"). */
export function searchPlaces(places: readonly Place[] | undefined, query: string): Place[] {
  const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  const q = fold(query.trim());
  if (!q) return [];
  return (places ?? []).filter((p) => fold(p.name).includes(q));
}
