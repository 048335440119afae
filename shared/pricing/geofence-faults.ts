import { geofencePolygons, Polygon, Region, ringAreas, selfCrossing } from "./geofence";
import type { Geofence } from "./market";

/**
 * What is wrong with a geofence before anyone prices inside it, each fault at the path of the
 * position, ring or field it is about, with the catalogue message (`validation.<kind>`) that says
 * it and that message's values. Pure: the time zone's offsets are read for fixed dates.
 *
 * - positions out of range, with a hint when they read as [lat, lng] (GeoJSON is [lng, lat]);
 * - rings that cross themselves or each other, holes outside their outline;
 * - a time zone whose clock is hours away from where the geofence lies, and, when the positions
 *   read as [lat, lng] would fit it, that hint instead (New York written [40.75, -73.98] lies in
 *   Antarctica, four time zones east of its own).
 * Orientation is not a fault: `rewound` turns every ring as RFC 7946 asks.
 */

export type GeofenceFaultKind =
  | "position-range"
  | "position-swapped"
  | "ring-crosses"
  | "hole-outside"
  | "geofence-swapped"
  | "timezone-far";

export interface GeofenceFault {
  path: Array<string | number>;
  kind: GeofenceFaultKind;
  params: Record<string, string | number>;
  /** In English, for logs and for readers of the schema alone. */
  summary: string;
}

/** How far (hours) a market's clock may be from its longitude's: China keeps UTC+8 from 73° E. */
export const MAX_CLOCK_DISTANCE_HOURS = 3.5;

const round = (n: number, digits = 5) => Number(n.toFixed(digits));

/** A position's range fault, if any: with the swapped hint when [lat, lng] would be in range. */
export function positionFault(position: readonly number[]): Omit<GeofenceFault, "path"> | undefined {
  const [lng = Number.NaN, lat = Number.NaN] = position;
  if (Math.abs(lng) <= 180 && Math.abs(lat) <= 90) return undefined;
  if (Math.abs(lat) <= 180 && Math.abs(lng) <= 90)
    return {
      kind: "position-swapped",
      params: { lng, lat },
      summary: `[${lng}, ${lat}] looks like [lat, lng]: GeoJSON is [lng, lat]`,
    };
  return { kind: "position-range", params: { lng, lat }, summary: `[${lng}, ${lat}] is out of range` };
}

/** Faults of the geometry (positions already in range): crossings, holes outside. */
export function geometryFaults(geofence: Geofence): GeofenceFault[] {
  const faults: GeofenceFault[] = [];
  if (!inRange(geofence)) return faults; // each position out of range is its own fault
  const multi = geofence.type === "MultiPolygon";
  geofencePolygons(geofence).forEach((coordinates, i) => {
    const at = (...rest: Array<string | number>) => (multi ? ["coordinates", i, ...rest] : ["coordinates", ...rest]);
    const polygon = new Polygon(coordinates);
    if (polygon.problem) return; // a pole or half the globe: the size check says so
    // A ring with no area is the size check's (geofence-empty), not a fault of its drawing.
    const crossing = selfCrossing(polygon);
    if (crossing) {
      const { ring, other, x, y } = crossing;
      faults.push({
        path: at(ring),
        kind: "ring-crosses",
        params: { ring, crossed: ring === other ? "same" : other, lat: round(y), lng: round(((x + 540) % 360) - 180) },
        summary: `ring ${ring} crosses ${ring === other ? "itself" : `ring ${other}`} near ${round(y)}, ${round(x)}`,
      });
      return; // which side a hole lies on means nothing once rings cross
    }
    const outline = new Polygon(coordinates.slice(0, 1));
    coordinates.slice(1).forEach((hole, h) => {
      const vertex = hole.find(([x = 0, y = 0]) => !outline.onOutline(outline.frameLng(x), y));
      if (vertex && !outline.contains(outline.frameLng(vertex[0] as number), vertex[1] as number))
        faults.push({
          path: at(h + 1),
          kind: "hole-outside",
          params: { ring: h + 1 },
          summary: `hole ${h + 1} lies outside its outline`,
        });
    });
  });
  return faults;
}

/**
 * Whether the time zone fits where the geofence lies: its standard or summer offset within
 * `MAX_CLOCK_DISTANCE_HOURS` of the middle longitude's (longitude / 15 h). When it does not but
 * the positions read as [lat, lng] would, the fault is the geofence's, with that hint.
 */
export function timezoneFault(geofence: Geofence, timezone: string): GeofenceFault | undefined {
  if (!inRange(geofence)) return undefined;
  const offsets = zoneOffsets(timezone);
  if (offsets.length === 0) return undefined;
  const middle = middleOf(geofence);
  if (!middle) return undefined;
  const distance = (lng: number) => Math.min(...offsets.map((o) => circularHours(o - lng / 15)));
  if (distance(middle.lng) <= MAX_CLOCK_DISTANCE_HOURS) return undefined;
  const offset = formatOffset(offsets[0] as number);
  const swapped = middleOf(swap(geofence));
  // Read the other way round it fits the clock, and moves away from the poles (where no city is):
  // written [lat, lng], New York lies at 74° S.
  if (swapped && Math.abs(swapped.lat) < Math.abs(middle.lat) && distance(swapped.lng) <= MAX_CLOCK_DISTANCE_HOURS)
    return {
      path: ["geofence"],
      kind: "geofence-swapped",
      params: {
        lat: round(middle.lat, 3),
        lng: round(middle.lng, 3),
        timezone,
        swappedLat: round(swapped.lat, 3),
        swappedLng: round(swapped.lng, 3),
      },
      summary: `the geofence lies at ${round(middle.lat, 3)}, ${round(middle.lng, 3)}, far from ${timezone}: its positions read as [lat, lng]`,
    };
  return {
    path: ["timezone"],
    kind: "timezone-far",
    params: { timezone, offset, lng: round(middle.lng, 2), expected: formatOffset(Math.round(middle.lng / 15)) },
    summary: `${timezone} keeps UTC${offset}, the geofence lies at ${round(middle.lng, 2)}° longitude`,
  };
}

/**
 * The geofence with every ring turned as RFC 7946 §3.1.6 asks: outlines counter-clockwise,
 * holes clockwise (its area and cells are the same).
 */
export function rewound(geofence: Geofence): Geofence {
  const turn = (coordinates: number[][][]) => {
    const areas = ringAreas(new Polygon(coordinates));
    return coordinates.map((ring, i) => ((i === 0 ? (areas[i] ?? 0) < 0 : (areas[i] ?? 0) > 0) ? [...ring].reverse() : ring));
  };
  return geofence.type === "Polygon"
    ? { type: "Polygon", coordinates: turn(geofence.coordinates) }
    : { type: "MultiPolygon", coordinates: geofence.coordinates.map(turn) };
}

function inRange(geofence: Geofence): boolean {
  return geofencePolygons(geofence).every((polygon) => polygon.every((ring) => ring.every((p) => !positionFault(p))));
}

/** The middle of the geofence's box, longitude in [−180, 180). */
function middleOf(geofence: Geofence): { lat: number; lng: number } | undefined {
  const region = new Region(geofence);
  const boxes = region.polygons.map((p) => p.box);
  if (boxes.length === 0 || region.problem) return undefined;
  const box = boxes.reduce((a, b) => ({
    minLng: Math.min(a.minLng, b.minLng),
    maxLng: Math.max(a.maxLng, b.maxLng),
    minLat: Math.min(a.minLat, b.minLat),
    maxLat: Math.max(a.maxLat, b.maxLat),
  }));
  return { lat: (box.minLat + box.maxLat) / 2, lng: (((((box.minLng + box.maxLng) / 2 + 540) % 360) + 360) % 360) - 180 };
}

function swap(geofence: Geofence): Geofence {
  const flip = (coordinates: number[][][]) => coordinates.map((ring) => ring.map(([a = 0, b = 0, ...rest]) => [b, a, ...rest]));
  return geofence.type === "Polygon"
    ? { type: "Polygon", coordinates: flip(geofence.coordinates) }
    : { type: "MultiPolygon", coordinates: geofence.coordinates.map(flip) };
}

/** A zone's UTC offsets in hours, in January and July (standard and summer time), or none for an unknown zone. */
function zoneOffsets(timezone: string): number[] {
  try {
    const format = new Intl.DateTimeFormat("en-US", { timeZone: timezone, timeZoneName: "longOffset" });
    return [Date.UTC(2025, 0, 15, 12), Date.UTC(2025, 6, 15, 12)].map((at) => {
      const name = format.formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
      const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
      return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) + Number(m[3]) / 60) : 0;
    });
  } catch {
    return [];
  }
}

/** Hours apart on a 24-hour circle. */
function circularHours(h: number): number {
  const d = ((h % 24) + 24) % 24;
  return Math.min(d, 24 - d);
}

function formatOffset(hours: number): string {
  const sign = hours < 0 ? "−" : "+";
  const abs = Math.abs(hours);
  const h = Math.floor(abs);
  const m = Math.round((abs - h) * 60);
  return `${sign}${h}${m ? `:${String(m).padStart(2, "0")}` : ""}`;
}
