import { cellToLatLng } from "h3-js";
import { z } from "zod";

/**
 * Known happenings — a concert, a match, a holiday — as operators register them, and what they
 * tell a forecast. A happening with a place (a point and radius, or cells) moves demand in its
 * cells: riders arrive before it starts and leave when it ends (the let-out, the sharpest peak a
 * city has). One without a place (a holiday) changes the whole market's day.
 */

export const CALENDAR_KINDS = ["concert", "match", "conference", "holiday", "other"] as const;

/** Longest happening: a week (a festival); longer is a season, not a happening. */
const MAX_SPAN_MS = 7 * 86_400_000;

export const CalendarEntryIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "an entry id is 1–64 letters, digits, _, . or -");

export const CalendarEntryInputSchema = z
  .object({
    name: z.string().min(1).max(120),
    kind: z.enum(CALENDAR_KINDS).default("other"),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    lat: z.number().min(-90).max(90).optional(),
    lng: z.number().min(-180).max(180).optional(),
    radiusKm: z.number().gt(0).max(20).optional(),
    cells: z.array(z.string().min(1).max(20)).min(1).max(500).optional(),
    expectedAttendance: z.number().int().min(0).max(2_000_000).optional(),
  })
  .superRefine((e, ctx) => {
    const span = Date.parse(e.to) - Date.parse(e.from);
    if (!(span > 0)) ctx.addIssue({ code: "custom", path: ["to"], message: "to must be after from" });
    else if (span > MAX_SPAN_MS) ctx.addIssue({ code: "custom", path: ["to"], message: "a happening lasts at most 7 days" });
    const point = [e.lat, e.lng, e.radiusKm].filter((x) => x !== undefined).length;
    if (point !== 0 && point !== 3)
      ctx.addIssue({ code: "custom", path: ["radiusKm"], message: "a place is lat, lng and radiusKm together" });
    if (point === 3 && e.cells)
      ctx.addIssue({ code: "custom", path: ["cells"], message: "give either lat, lng and radiusKm, or cells, not both" });
    if (e.kind !== "holiday" && point === 0 && !e.cells)
      ctx.addIssue({
        code: "custom",
        path: ["cells"],
        message: "a happening other than a holiday has a place (lat, lng, radiusKm or cells)",
      });
  });
export type CalendarEntryInput = z.infer<typeof CalendarEntryInputSchema>;

/** A stored entry, times as epoch milliseconds. */
export interface CalendarEntry {
  id: string;
  name: string;
  kind: (typeof CALENDAR_KINDS)[number];
  from: number;
  to: number;
  lat?: number;
  lng?: number;
  radiusKm?: number;
  cells?: string[];
  expectedAttendance?: number;
}

export function toEntry(id: string, input: CalendarEntryInput): CalendarEntry {
  const { from, to, ...rest } = input;
  return { id, ...rest, from: Date.parse(from), to: Date.parse(to) };
}

/** Riders arrive this long before a happening starts, and leave over this long after it ends. */
export const ARRIVAL_MS = 60 * 60_000;
export const LET_OUT_MS = 60 * 60_000;

/** A let-out within its hour: sharpest at the end, fading (what the synthetic history also assumes). */
export function letOutShape(msSinceEnd: number): number {
  return msSinceEnd < 0 || msSinceEnd >= LET_OUT_MS ? 0 : Math.exp(-msSinceEnd / (25 * 60_000));
}

/** Arrivals before a start: rising through the hour before. */
export function arrivalShape(msBeforeStart: number): number {
  return msBeforeStart <= 0 || msBeforeStart > ARRIVAL_MS ? 0 : 1 - msBeforeStart / ARRIVAL_MS;
}

/**
 * The cells of the market a happening touches, or `null` for the whole market (a holiday, or
 * anything without a place).
 * @example entryCells({..., lat: 40.7505, lng: -73.9934, radiusKm: 0.6}, marketCells) // cells around the Garden
 */
export function entryCells(entry: CalendarEntry, marketCells: readonly string[]): string[] | null {
  if (entry.cells) {
    const known = new Set(marketCells);
    return entry.cells.filter((c) => known.has(c));
  }
  if (entry.lat === undefined || entry.lng === undefined || entry.radiusKm === undefined) return null;
  const { lat, lng, radiusKm } = entry;
  return marketCells.filter((cell) => {
    const [clat, clng] = cellToLatLng(cell);
    return distanceKm(lat, lng, clat, clng) <= radiusKm;
  });
}

/** Great-circle distance (haversine), km. */
export function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * What the calendar says about each interval of a stretch of time: the market-wide holiday
 * flag, and per touched cell the arrivals before and the let-out after each happening (in
 * thousands of expected attendees, 1 when the attendance is unknown). Cells no happening
 * touches have no entry.
 */
export interface CalendarFeatures {
  holiday: Uint8Array;
  cells: Map<string, { arrival: Float32Array; letOut: Float32Array }>;
}

export function calendarFeatures(
  entries: readonly CalendarEntry[],
  marketCells: readonly string[],
  start: number,
  steps: number,
  intervalMinutes: number,
): CalendarFeatures {
  const interval = intervalMinutes * 60_000;
  const holiday = new Uint8Array(steps);
  const cells = new Map<string, { arrival: Float32Array; letOut: Float32Array }>();
  /** Steps whose interval overlaps [from, to). */
  const mid = (i: number) => start + i * interval + interval / 2;
  const span = (from: number, to: number): [number, number] => [
    Math.max(0, Math.floor((from - start) / interval)),
    Math.min(steps, Math.ceil((to - start) / interval)),
  ];
  for (const entry of entries) {
    const touched = entryCells(entry, marketCells);
    if (touched === null) {
      if (entry.kind !== "holiday") continue;
      const [a, b] = span(entry.from, entry.to);
      for (let i = a; i < b; i++) holiday[i] = 1;
      continue;
    }
    const size = (entry.expectedAttendance ?? 1000) / 1000;
    for (const cell of touched) {
      let f = cells.get(cell);
      if (!f) {
        f = { arrival: new Float32Array(steps), letOut: new Float32Array(steps) };
        cells.set(cell, f);
      }
      const [a1, b1] = span(entry.from - ARRIVAL_MS, entry.from);
      for (let i = a1; i < b1; i++) f.arrival[i] = (f.arrival[i] ?? 0) + size * arrivalShape(entry.from - mid(i));
      const [a2, b2] = span(entry.to, entry.to + LET_OUT_MS);
      for (let i = a2; i < b2; i++) f.letOut[i] = (f.letOut[i] ?? 0) + size * letOutShape(mid(i) - entry.to);
    }
  }
  return { holiday, cells };
}
