import { cellToLatLng } from "h3-js";
import { Random } from "../kit/random";
import { ARRIVAL_MS, arrivalShape, type CalendarEntry, distanceKm, LET_OUT_MS, letOutShape } from "./calendar";
import type { IntervalRow } from "./history";

/**
 * A realistic synthetic history of a market, for development, tests, the simulator and the
 * training benchmark: seeded, so one seed gives the same history on every machine.
 *
 * Demand in a cell at a time is a Poisson draw around
 *
 *   base(cell) × daily profile(cell, local hour, weekday or weekend) × weekday factor
 *     × trend^(weeks elapsed) × the day's weather × holiday effect  +  happenings at the venue
 *
 * - base: log-normal over cells, so a few cells are busy and many are sparse (the forecasts
 *   pool sparse cells to their parents);
 * - the daily profile mixes a commuter shape (peaks at 8:30 and 18:00) and a leisure shape
 *   (late evenings, weekend afternoons) in a proportion of the cell's own;
 * - a holiday looks like a quiet Sunday; holidays are in the returned calendar;
 * - the stadium (the venue) hosts matches and concerts a couple of evenings a week: riders
 *   arrive in the hour before, and the let-out brings a sharp peak that fades within the hour,
 *   in cells within `venueRadiusKm`; every one is in the returned calendar;
 * - drivers follow demand with a lag and do not rush to a let-out (the shortage predictive
 *   surge is for).
 */

export interface SyntheticOptions {
  cells: readonly string[];
  /** First interval's start, epoch ms (best a local midnight). */
  start: number;
  weeks: number;
  intervalMinutes?: number;
  seed?: number;
  /** Local time = UTC + this (fixed; daylight saving is ignored here). */
  utcOffsetMinutes?: number;
  /** The stadium: defaults to the busiest-looking cell's centre. */
  venue?: { lat: number; lng: number; name?: string };
  venueRadiusKm?: number;
  /** Growth of demand per week (0.02 = 2 %). */
  trendPerWeek?: number;
  /** Days (index from `start`) that are holidays; default: a Thursday ~40 % in and the last week's Monday. */
  holidayDays?: readonly number[];
  /** Mean requests per interval of the median cell at the daily profile's 1.0. */
  medianBase?: number;
}

export interface SyntheticHistory {
  rows: IntervalRow[];
  calendar: CalendarEntry[];
  venue: { lat: number; lng: number; name: string };
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Monday first: the weekday factor of local days 0..6 (Mon..Sun). */
const WEEKDAY_FACTOR = [0.92, 0.95, 1.0, 1.04, 1.15, 1.1, 0.88];
const SEARCHES_PER_REQUEST = 2.5;

const bump = (h: number, at: number, width: number) => {
  // circular in the day, so a late-night bump reaches past midnight
  const d = Math.min(Math.abs(h - at), 24 - Math.abs(h - at));
  return Math.exp(-0.5 * (d / width) ** 2);
};
const commuter = (h: number) =>
  0.15 + 1.5 * bump(h, 8.5, 1.1) + 0.6 * bump(h, 13, 2.2) + 1.7 * bump(h, 18, 1.4) + 0.4 * bump(h, 21.5, 1.8);
const leisure = (h: number, weekend: boolean) =>
  0.2 +
  (weekend ? 0.9 * bump(h, 13, 3) : 0.3 * bump(h, 13, 2.5)) +
  0.9 * bump(h, 20, 2.2) +
  (weekend ? 1.1 : 0.5) * bump(h, 23.5, 1.8);

/**
 * Calls `emit` for every cell and interval, in time order within each cell; `emit` gets counts
 * (requests, searches, available drivers). Cheap enough for 2,000 cells × 8 weeks.
 */
export function synthesize(
  options: SyntheticOptions,
  emit: (cellIndex: number, step: number, requests: number, searches: number, supply: number) => void,
): Omit<SyntheticHistory, "rows"> {
  const interval = (options.intervalMinutes ?? 15) * 60_000;
  const seed = options.seed ?? 1;
  const offset = (options.utcOffsetMinutes ?? 0) * 60_000;
  const steps = Math.round((options.weeks * WEEK_MS) / interval);
  const days = options.weeks * 7;
  const trend = options.trendPerWeek ?? 0.02;
  const medianBase = options.medianBase ?? 1.2;
  const cells = options.cells;
  const shape = new Random(seed, "cells");
  const base = cells.map(() => medianBase * Math.exp(0.9 * shape.normal()));
  const mix = cells.map(() => shape.next());
  const venue = options.venue ?? defaultVenue(cells, base);
  const radius = options.venueRadiusKm ?? 0.8;
  const venueWeight = cells.map((cell) => {
    const [lat, lng] = cellToLatLng(cell);
    const d = distanceKm(venue.lat, venue.lng, lat, lng);
    return d <= radius ? 1 / (1 + 2 * d) : 0;
  });

  // Days as the market lives them: weather (a shock shared by every cell), holidays.
  const weather = new Random(seed, "weather");
  const dayFactor = Array.from({ length: days + 1 }, () => Math.max(0.6, 1 + 0.07 * weather.normal()));
  const firstLocalDay = Math.floor((options.start + offset) / DAY_MS);
  const weekdayOf = (localDay: number) => (((localDay + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday (3 from Monday)
  const holidayDays = new Set(options.holidayDays ?? defaultHolidays(options.weeks, weekdayOf(firstLocalDay)));

  const calendar: CalendarEntry[] = [];
  for (const d of [...holidayDays].sort((a, b) => a - b)) {
    const from = (firstLocalDay + d) * DAY_MS - offset;
    calendar.push({ id: `synthetic-holiday-${d}`, name: "Public holiday", kind: "holiday", from, to: from + DAY_MS });
  }
  // Two or three evenings a week at the stadium, a weekend afternoon now and then.
  const fixtures = new Random(seed, "stadium");
  const events: CalendarEntry[] = [];
  for (let d = 0; d < days; d++) {
    const weekday = weekdayOf(firstLocalDay + d);
    const p = weekday >= 3 ? 0.45 : 0.2;
    if (holidayDays.has(d) || !fixtures.chance(p)) continue;
    const afternoon = weekday >= 5 && fixtures.chance(0.4);
    const startHour = afternoon ? 13 : 19 + (fixtures.chance(0.5) ? 0.5 : 0);
    const hours = 2.5 + fixtures.int(3) * 0.25;
    const from = (firstLocalDay + d) * DAY_MS - offset + startHour * 3_600_000;
    const match = fixtures.chance(0.6);
    events.push({
      id: `synthetic-stadium-${d}`,
      name: match ? "Match at the stadium" : "Concert at the stadium",
      kind: match ? "match" : "concert",
      from,
      to: from + hours * 3_600_000,
      lat: venue.lat,
      lng: venue.lng,
      radiusKm: radius,
      expectedAttendance: 12_000 + 1000 * fixtures.int(9),
    });
  }
  calendar.push(...events);

  const lambda = new Float64Array(steps);
  cells.forEach((_, ci) => {
    const draws = new Random(seed, `cell:${ci}`);
    const b = base[ci] as number;
    const m = mix[ci] as number;
    const vw = venueWeight[ci] as number;
    for (let t = 0; t < steps; t++) {
      const at = options.start + t * interval;
      const local = at + offset + interval / 2;
      const localDay = Math.floor(local / DAY_MS);
      const day = localDay - firstLocalDay;
      const hour = (local - localDay * DAY_MS) / 3_600_000;
      const weekday = weekdayOf(localDay);
      const holiday = holidayDays.has(day);
      const weekend = weekday >= 5 || holiday;
      const profile = (1 - m) * (weekend ? 0.45 * commuter(hour) : commuter(hour)) + m * leisure(hour, weekend);
      const week = (at - options.start) / WEEK_MS;
      let mean =
        b *
        profile *
        (holiday ? 0.8 * (WEEKDAY_FACTOR[6] as number) : (WEEKDAY_FACTOR[weekday] as number)) *
        (1 + trend) ** week *
        (dayFactor[Math.max(0, day)] as number);
      if (vw > 0)
        for (const e of events) {
          if (e.to + LET_OUT_MS < at || e.from - ARRIVAL_MS > at + interval) continue;
          const size = (e.expectedAttendance ?? 0) / 1000;
          const mid = at + interval / 2;
          mean += vw * size * (3.2 * letOutShape(mid - e.to) + 0.5 * arrivalShape(e.from - mid));
        }
      lambda[t] = mean;
      const requests = draws.poisson(mean);
      const searches = draws.poisson(mean * SEARCHES_PER_REQUEST);
      // Drivers follow what demand was a little while ago (not the let-out), with their own noise.
      const recent = t > 0 ? 0.5 * mean + 0.5 * (lambda[t - 1] as number) : mean;
      const usual = vw > 0 ? Math.min(recent, b * 3) : recent;
      const supply = draws.poisson(0.9 * usual + 0.3);
      emit(ci, t, requests, searches, supply);
    }
  });
  return { calendar, venue: { lat: venue.lat, lng: venue.lng, name: venue.name ?? "Stadium" } };
}

/**
 * The history as import rows (intervals with nothing in them are left out: missing is zero),
 * and its calendar.
 * @example const { rows, calendar } = syntheticHistory({ cells, start: Date.UTC(2026, 9, 5, 4), weeks: 8, seed: 7 });
 */
export function syntheticHistory(options: SyntheticOptions): SyntheticHistory {
  const interval = (options.intervalMinutes ?? 15) * 60_000;
  const rows: IntervalRow[] = [];
  const made = synthesize(options, (ci, t, requests, searches, supply) => {
    if (requests === 0 && searches === 0 && supply === 0) return;
    rows.push({ cell: options.cells[ci] as string, at: options.start + t * interval, requests, searches, supply });
  });
  rows.sort((a, b) => a.at - b.at || (a.cell < b.cell ? -1 : 1));
  return { rows, ...made };
}

/** A Thursday about 40 % into the history and the Monday of its last week. */
function defaultHolidays(weeks: number, firstWeekday: number): number[] {
  const dayOf = (week: number, weekday: number) => week * 7 + ((weekday - firstWeekday + 7) % 7);
  const out = [dayOf(Math.floor(weeks * 0.4), 3)];
  if (weeks >= 3) out.push(dayOf(weeks - 1, 0));
  return out;
}

/** The centre of the busiest cell: where a stadium would draw a crowd. */
function defaultVenue(cells: readonly string[], base: readonly number[]): { lat: number; lng: number; name?: string } {
  let best = 0;
  base.forEach((b, i) => {
    if (b > (base[best] ?? 0)) best = i;
  });
  const [lat, lng] = cellToLatLng(cells[best] as string);
  return { lat, lng };
}
