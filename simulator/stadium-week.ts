import { type CalendarEntry, calendarFeatures, letOutShape } from "../shared/forecast/calendar";
import type { IntervalRow } from "../shared/forecast/history";
import { type HotspotForecast, rankHotspots } from "../shared/forecast/hotspots";
import { panelFromRows } from "../shared/forecast/panel";
import { AHEAD_INTERVALS, type TrainingOutcome, train } from "../shared/forecast/train";
import { computeFare } from "../shared/pricing/fare";
import type { SurgeSettings } from "../shared/pricing/market";
import { type ForecastInput, forecastInputs } from "../shared/pricing/policy";
import { estimateTrip } from "../shared/pricing/trip";
import { ZoneState } from "../shared/pricing/zone-state";
import type { City } from "./city";
import { Random } from "./random";
import { type Phase, phaseOf, type Scenario } from "./scenario";
import { type MinuteRow, type QuoteAnswer, Simulation, type SimulationConfig } from "./simulation";
import { requestProbability } from "./willingness";

/**
 * A week with history: the stadium let-out day, priced with and without predictive surge, in one
 * process where the truth is known.
 *
 * 1. **History**: the same city's riders on the `weeks` before the day, per cell and 15-minute
 *    interval as the platform records them (searches, requests at ×1.0, available drivers): a
 *    daily rhythm (morning and evening peaks, a late evening out), weekday factors, each day's
 *    weather, and the stadium's let-outs on two or three evenings a week at varying times and
 *    attendances — each one in the calendar, as an operator registers them.
 * 2. **Forecast**: `train` (shared/forecast) on that history and calendar, with the same
 *    rolling-origin backtest and promotion gate as the cron; the live model's forecasts become
 *    each cell's `ForecastInput` as the training pushes them to zones.
 * 3. **The day**: the simulation (`Simulation`, seeded) from 30 minutes before the let-out,
 *    priced by the platform's pure core — a `ZoneState` holding the forecast as its "forecast"
 *    input, the policy zones use (`predictiveSurge` through the seam) with `predictive.mode` `on`
 *    or `off` — so predictive and reactive pricing see the same riders and the same forecast.
 *    Optionally a share of drivers subscribed to hotspots get the ranking (`rankHotspots`) every
 *    few minutes and head for the top cells.
 *
 * Riders on the day arrive at the rate the history's process gives at each minute (the venue's
 * cells at 1 + (spike − 1) × the calendar's let-out shape: sharpest as the crowd leaves, fading
 * within the hour), so the forecast is judged on the process it learned from.
 */

export const WEEK_INTERVAL_MINUTES = 15;
/** Minutes of the day simulated before the let-out. */
export const BEFORE_LET_OUT_MINUTES = 30;
/** The default run: 30 minutes before the let-out, its hour, 10 minutes after. */
export const STADIUM_WEEK_MINUTES = 100;
/** Attendance of the day's event; history's events scale their let-out by theirs over this. */
const REFERENCE_ATTENDANCE = 16_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const MINUTE_MS = 60_000;
/** The day's let-out, on the market's clock (the run's times are kept as local times). */
const LET_OUT = Date.UTC(2026, 11, 3, 22); // a Thursday, 22:00
/** Monday first. */
const WEEKDAY_FACTOR = [0.92, 0.95, 1.0, 1.0, 1.12, 1.08, 0.9];

const bump = (h: number, at: number, width: number) => {
  const d = Math.min(Math.abs(h - at), 24 - Math.abs(h - at));
  return Math.exp(-0.5 * (d / width) ** 2);
};

/**
 * The city's rhythm: riders opening the app at a local time, relative to `ridersPerMinute`
 * (about 1.0 through a weekday's late evening, when the let-out happens).
 * @example cityRhythm(Date.UTC(2026, 11, 3, 21, 30)) // ≈ 1.08 (Thursday 21:30)
 */
export function cityRhythm(at: number): number {
  const day = Math.floor(at / DAY_MS);
  const weekday = (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const weekend = weekday >= 5;
  const h = (at - day * DAY_MS) / 3_600_000;
  const shape =
    0.3 +
    (weekend ? 0.3 : 0.9) * bump(h, 8.5, 1.2) +
    0.5 * bump(h, 13, 2.5) +
    (weekend ? 0.4 : 0.8) * bump(h, 18, 1.5) +
    0.75 * bump(h, 22, 2.2);
  return shape * (WEEKDAY_FACTOR[weekday] as number);
}

export interface StadiumWeekOptions {
  city: City;
  /** The simulation's settings (its scenario and minutes are the week's). */
  config: Omit<SimulationConfig, "scenario" | "minutes">;
  /** The market's surge settings (search weight, half-life, target ratio). */
  settings: SurgeSettings;
  /** Weeks of history before the day (at least 3: the gate holds out the last one or two). */
  weeks?: number;
  /** Venue demand at the let-out's sharpest, × its usual (default 8). */
  spikeFactor?: number;
  minutes?: number;
}

/** The week: its history, calendar and trained forecast, and the day's scenario. */
export interface StadiumWeek {
  /** The run's first instant, on the market's clock: the history ends here. */
  start: number;
  letOutAt: number;
  minutes: number;
  scenario: Scenario;
  venueCells: readonly string[];
  history: { from: number; rows: number; letOuts: number };
  calendar: CalendarEntry[];
  training: TrainingOutcome;
  /** Each cell's forecast as the training pushes it to its zone. */
  forecastInputs: (horizonMinutes: number) => Record<string, { forecast: ForecastInput }>;
  /** What the hotspots ranking reads: each cell's forecast and the drivers usually there. */
  hotspotForecasts: (now: number, horizonMinutes: number) => HotspotForecast[];
}

/** Builds the history, trains the forecast on it and sets up the day. Seeded by `config.seed`. */
export function stadiumWeek(options: StadiumWeekOptions): StadiumWeek {
  const { city, config, settings } = options;
  const weeks = options.weeks ?? 8;
  if (!(weeks >= 3)) throw new RangeError("the forecast needs at least 3 weeks of history");
  const minutes = options.minutes ?? STADIUM_WEEK_MINUTES;
  if (!(minutes > BEFORE_LET_OUT_MINUTES)) throw new RangeError(`the day runs longer than ${BEFORE_LET_OUT_MINUTES} minutes`);
  const spike = options.spikeFactor ?? 8;
  const interval = WEEK_INTERVAL_MINUTES * MINUTE_MS;
  const start = LET_OUT - BEFORE_LET_OUT_MINUTES * MINUTE_MS;
  const from = start - weeks * WEEK_MS;
  const venue = city.venue(config.venue);
  const venueCells = venue.cells;

  // The stadium's calendar: two or three evenings a week, the day's own event last.
  const fixtures = new Random(config.seed, "history:stadium");
  const calendar: CalendarEntry[] = [];
  for (let day = Math.floor(from / DAY_MS); day < Math.floor(start / DAY_MS); day++) {
    const weekday = (((day + 3) % 7) + 7) % 7;
    if (!fixtures.chance(weekday >= 3 ? 0.45 : 0.2)) continue;
    const to = day * DAY_MS + (20 * 60 + 45 + 5 * fixtures.int(36)) * MINUTE_MS; // ends 20:45–23:40
    const attendance = 12_000 + 1000 * fixtures.int(9);
    calendar.push(happening(`stadium-${day}`, to, attendance, venueCells));
  }
  calendar.push(happening("stadium-today", LET_OUT, REFERENCE_ATTENDANCE, venueCells));

  const venueSet = new Set(venueCells);
  const venueFactor = (at: number) => {
    let f = 1;
    for (const e of calendar) f += (spike - 1) * ((e.expectedAttendance ?? 0) / REFERENCE_ATTENDANCE) * letOutShape(at - e.to);
    return f;
  };

  // History: Poisson riders per cell and interval around the rhythm × the day's weather (× the let-out at the venue).
  const weather = new Random(config.seed, "history:weather");
  const dayFactor = new Map<number, number>();
  const perCellMinute = config.ridersPerMinute / city.cells.length;
  const requestShare = requestProbability(1, config.willingness);
  const usualSupply = (config.fleet * (1 - config.initialBusyShare)) / city.cells.length;
  const steps = Math.round((start - from) / interval);
  const rhythm = new Float64Array(steps);
  const letOut = new Float64Array(steps);
  for (let t = 0; t < steps; t++) {
    const at = from + t * interval;
    const day = Math.floor(at / DAY_MS);
    let w = dayFactor.get(day);
    if (w === undefined) {
      w = Math.max(0.6, 1 + 0.07 * weather.normal());
      dayFactor.set(day, w);
    }
    let r = 0;
    let v = 0;
    for (let m = 0; m < WEEK_INTERVAL_MINUTES; m++) {
      const mid = at + (m + 0.5) * MINUTE_MS;
      const base = cityRhythm(mid) * w;
      r += base;
      v += base * venueFactor(mid);
    }
    rhythm[t] = r * perCellMinute;
    letOut[t] = v * perCellMinute;
  }
  const rows: IntervalRow[] = [];
  const supplyBySlot = new Map<string, Float64Array>();
  city.cells.forEach((cell, ci) => {
    const draws = new Random(config.seed, `history:cell:${ci}`);
    const mean = venueSet.has(cell) ? letOut : rhythm;
    for (let t = 0; t < steps; t++) {
      const riders = draws.poisson(mean[t] as number);
      let requests = 0;
      for (let i = 0; i < riders; i++) if (draws.chance(requestShare)) requests += 1;
      const supply = draws.poisson(usualSupply);
      rows.push({ cell, at: from + t * interval, searches: riders, requests, supply });
    }
  });
  const panel = panelFromRows(rows, city.cells, from, start, WEEK_INTERVAL_MINUTES, settings.searchWeight);
  const features = calendarFeatures(calendar, city.cells, from, panel.steps + AHEAD_INTERVALS, WEEK_INTERVAL_MINUTES);
  const training = train(panel, { calendar: features });
  const forecast = training.forecast;
  const modelId = `stadium-week.${training.live}`;

  // Drivers usually available per cell in each forecast interval: the mean of the same slots over the last four weeks.
  for (const r of rows) {
    const ago = start - r.at;
    if (ago > 4 * WEEK_MS) continue;
    const slot = Math.floor((((r.at - start) % WEEK_MS) + WEEK_MS) / interval) % (WEEK_MS / interval);
    if (slot >= AHEAD_INTERVALS) continue;
    let s = supplyBySlot.get(r.cell);
    if (!s) {
      s = new Float64Array(AHEAD_INTERVALS);
      supplyBySlot.set(r.cell, s);
    }
    s[slot] = (s[slot] as number) + r.supply / 4;
  }

  const phases: Phase[] = [
    { name: "before", from: 0, to: BEFORE_LET_OUT_MINUTES / minutes },
    { name: "let-out", from: BEFORE_LET_OUT_MINUTES / minutes, to: Math.min(1, (BEFORE_LET_OUT_MINUTES + 60) / minutes) },
    ...(BEFORE_LET_OUT_MINUTES + 60 < minutes ? [{ name: "after", from: (BEFORE_LET_OUT_MINUTES + 60) / minutes, to: 1 }] : []),
  ];
  const scenario: Scenario = {
    name: "stadium-week",
    description: `${weeks} weeks of the city's history with the stadium's let-outs, a forecast trained on them, then a let-out day: ${spike}× the usual demand in the venue's cells as the crowd leaves, fading within the hour`,
    defaultMinutes: STADIUM_WEEK_MINUTES,
    phases,
    eventPhase: "let-out",
    usesVenue: true,
    conditions: (_fraction, minute) => {
      const at = start + minute * MINUTE_MS;
      return { demand: cityRhythm(at), venueDemand: venueFactor(at), online: 1 };
    },
  };

  return {
    start,
    letOutAt: LET_OUT,
    minutes,
    scenario,
    venueCells,
    history: { from, rows: rows.length, letOuts: calendar.length - 1 },
    calendar,
    training,
    forecastInputs: (horizonMinutes) => forecastInputs(forecast, horizonMinutes, modelId),
    hotspotForecasts: (now, horizonMinutes) =>
      forecast.cells.map((cell, i) => {
        const supply = supplyBySlot.get(cell);
        const first = Math.max(0, Math.floor((now - forecast.from) / interval));
        const last = Math.min(AHEAD_INTERVALS, Math.ceil((now + horizonMinutes * MINUTE_MS - forecast.from) / interval));
        return {
          cell,
          from: forecast.from,
          intervalMinutes: forecast.intervalMinutes,
          demand: Array.from(forecast.demand[i] as Float32Array),
          supply: supply ? Array.from(supply.slice(first, last)) : [],
        };
      }),
  };
}

function happening(id: string, to: number, attendance: number, cells: readonly string[]): CalendarEntry {
  return {
    id,
    name: "Match at the stadium",
    kind: "match",
    from: to - 150 * MINUTE_MS,
    to,
    cells: [...cells],
    expectedAttendance: attendance,
  };
}

// ── The day ────────────────────────────────────────────────────────────────────────────────

/** One way of running the day. */
export interface DayArm {
  name: string;
  /** Predictive surge `on` (else `off`: reactive only; the forecast is there either way). */
  predictive: boolean;
  /** Share of drivers who subscribed to hotspots (0: none). */
  followers: number;
}

export interface DayOptions {
  predictive: { horizonMinutes: number; weight: number };
  /** The hotspots ranking subscribed drivers receive: how often, over what horizon, how many top cells, within what reach. */
  hotspots: { everyMinutes: number; horizonMinutes: number; top: number; reachKm: number };
}

export const DEFAULT_DAY_OPTIONS: DayOptions = {
  predictive: { horizonMinutes: 30, weight: 0.5 },
  hotspots: { everyMinutes: 5, horizonMinutes: 30, top: 3, reachKm: 4 },
};

/** Figures of a stretch of the day. */
export interface DayFigures {
  /** Highest multiplier over the venue's cells at any step. */
  venuePeak: number;
  requests: number;
  served: number;
  unserved: number;
  completionRate: number | null;
  /** Pickup ETA of served riders, minutes. */
  etaP50: number | null;
  etaP95: number | null;
  venueCompletionRate: number | null;
  venueEtaP50: number | null;
  venueEtaP95: number | null;
  /** Riders who opened the app and did not request at the price shown. */
  pricedOut: number;
  arrivals: number;
}

export interface DayRun {
  arm: DayArm;
  rows: MinuteRow[];
  /** Per minute: the venue's highest multiplier at any step of it. */
  venuePeakByMinute: number[];
  /**
   * Per minute: what the forecast added to the demand the venue's cell was priced on (the
   * policy's `demandUsed` less live demand, at the minute's end; 0 when predictive is off).
   */
  forecastLift: number[];
  /** Hotspot rankings sent and the top cell of the first one sent during the let-out. */
  hotspotRankings: number;
  whole: DayFigures;
  phases: Record<string, DayFigures>;
}

interface Resolved {
  minute: number;
  venue: boolean;
  etaMin: number | null;
}

/** Runs the day once, one arm, the week's seed. */
export function runDay(week: StadiumWeek, input: StadiumWeekOptions, arm: DayArm, options = DEFAULT_DAY_OPTIONS): DayRun {
  const { city } = input;
  const config: SimulationConfig = {
    ...input.config,
    scenario: week.scenario,
    minutes: week.minutes,
    followers:
      arm.followers > 0 ? { share: arm.followers, top: options.hotspots.top, reachKm: options.hotspots.reachKm } : undefined,
  };
  const settings: SurgeSettings = {
    ...input.settings,
    // One tick per step, as the switchback proof runs the zone.
    updateIntervalMs: config.stepSeconds * 1000,
    predictive: { mode: arm.predictive ? "on" : "off", ...options.predictive },
  };
  const state = new ZoneState(new Set(city.cells), settings);
  const forecastEnd = week.training.forecast.from + AHEAD_INTERVALS * WEEK_INTERVAL_MINUTES * MINUTE_MS;
  state.setInputs("forecast", { cells: week.forecastInputs(options.predictive.horizonMinutes), until: forecastEnd });
  const sim = new Simulation(city, config);
  const venue = new Set(week.venueCells);
  const [venueCentre] = city.venue(config.venue).cells;
  const rows: MinuteRow[] = [];
  const venuePeakByMinute: number[] = [];
  const forecastLift: number[] = [];
  const resolved: Resolved[] = [];
  const arrivals: Array<{ minute: number; requested: boolean; venue: boolean }> = [];
  /** Riders who requested, until matched or given up. */
  const waiting = new Map<string, { cell: string; at: number }>();
  let minutePeak = 1;
  let hotspotRankings = 0;

  while (!sim.done) {
    const now = week.start + sim.now * 1000;
    const minute = Math.floor(sim.now / 60);
    const cellOf = new Map<string, string>();
    const quotes = new Map<string, QuoteAnswer>();
    for (const a of sim.arrivals()) {
      const tenths = state.reading(a.cell, now).shownTenths;
      const total = computeFare(config.fare, estimateTrip(a.pickup, a.dropoff, config.trip), tenths).total;
      quotes.set(a.riderId, { total, multiplier: tenths / 10 });
      cellOf.set(a.riderId, a.cell);
    }
    const heatmap = city.cells.map((cell) => {
      const r = state.reading(cell, now);
      return { cell, multiplier: r.shownTenths / 10, supply: r.supply, demand: r.demand };
    });
    let hotspots: ReturnType<typeof rankHotspots> | undefined;
    if (arm.followers > 0 && sim.now % (options.hotspots.everyMinutes * 60) === 0) {
      const h = options.hotspots.horizonMinutes;
      hotspots = rankHotspots(week.hotspotForecasts(now, h), settings, now, h, options.hotspots.top);
      hotspotRankings += 1;
    }
    const step = sim.advance({ heatmap, quotes, hotspots });
    const after = week.start + sim.now * 1000;
    for (const s of step.supply) {
      const cell = city.cellOf(s);
      if (cell) state.applySupply(s.driverId, cell, s.status === "available", after, after);
    }
    const requested = new Set<string>();
    for (const d of step.demand) {
      const cell = cellOf.get(d.riderId);
      if (!cell) continue;
      state.applyDemand(cell, d.kind === "request" ? 1 : settings.searchWeight, after, after, d.riderId);
      if (d.kind === "request") {
        requested.add(d.riderId);
        waiting.set(d.riderId, { cell, at: sim.now });
      }
    }
    for (const [id, cell] of cellOf) arrivals.push({ minute, requested: requested.has(id), venue: venue.has(cell) });
    for (const m of step.matches) {
      const w = waiting.get(m.riderId);
      if (!w) continue;
      waiting.delete(m.riderId);
      resolved.push({ minute, venue: venue.has(w.cell), etaMin: (m.pickupAt - m.assignedAt) / 60 });
    }
    for (const [id, w] of waiting) {
      if (sim.now - w.at < config.patienceSeconds + config.stepSeconds) continue;
      // The simulation gave up on them at its patience: unserved, counted in the minute they left.
      waiting.delete(id);
      resolved.push({ minute, venue: venue.has(w.cell), etaMin: null });
    }
    state.tick(after);
    for (const cell of venue) minutePeak = Math.max(minutePeak, state.reading(cell, after).shownTenths / 10);
    if (step.minute) {
      rows.push(step.minute);
      venuePeakByMinute.push(minutePeak);
      minutePeak = 1;
      const story = venueCentre ? state.reading(venueCentre, after) : undefined;
      const f = story?.explanation.forecast;
      forecastLift.push(f && f.mode === "on" ? Math.round((f.demandUsed - story.demand) * 1000) / 1000 : 0);
    }
  }
  const figuresOf = (keep: (minute: number) => boolean): DayFigures =>
    dayFigures(
      resolved.filter((r) => keep(r.minute)),
      arrivals.filter((a) => keep(a.minute)),
      venuePeakByMinute.filter((_, m) => keep(m)),
    );
  const phases: Record<string, DayFigures> = {};
  for (const p of week.scenario.phases)
    phases[p.name] = figuresOf((m) => phaseOf(week.scenario, (m + 0.5) / week.minutes) === p.name);
  return { arm, rows, venuePeakByMinute, forecastLift, hotspotRankings, whole: figuresOf(() => true), phases };
}

function dayFigures(
  resolved: readonly Resolved[],
  arrivals: ReadonlyArray<{ requested: boolean; venue: boolean }>,
  peaks: readonly number[],
): DayFigures {
  const served = resolved.filter((r) => r.etaMin !== null);
  const venue = resolved.filter((r) => r.venue);
  const venueServed = venue.filter((r) => r.etaMin !== null);
  const etas = served.map((r) => r.etaMin as number);
  const venueEtas = venueServed.map((r) => r.etaMin as number);
  const requests = arrivals.filter((a) => a.requested).length;
  return {
    venuePeak: Math.max(1, ...peaks),
    requests,
    served: served.length,
    unserved: resolved.length - served.length,
    completionRate: rate(served.length, resolved.length),
    etaP50: quantile(etas, 0.5),
    etaP95: quantile(etas, 0.95),
    venueCompletionRate: rate(venueServed.length, venue.length),
    venueEtaP50: quantile(venueEtas, 0.5),
    venueEtaP95: quantile(venueEtas, 0.95),
    pricedOut: arrivals.length - requests,
    arrivals: arrivals.length,
  };
}

const rate = (x: number, n: number) => (n > 0 ? Math.round((x / n) * 10_000) / 10_000 : null);

/**
 * The q-quantile by nearest rank, to 0.01 min.
 * @example quantile([1, 2, 3, 4], 0.5) // 2
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const v = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
  return Math.round(v * 100) / 100;
}

// ── Several seeds, several arms ────────────────────────────────────────────────────────────

/** The arms a comparison may run, by name. */
export const DAY_ARMS = ["reactive", "predictive", "followers", "predictive+followers"] as const;
export type DayArmName = (typeof DAY_ARMS)[number];

/** An arm by name; `followers` is the share of drivers who subscribed to hotspots in the arms that have them. */
export function dayArm(name: DayArmName, followers: number): DayArm {
  return { name, predictive: name.startsWith("predictive"), followers: name.endsWith("followers") ? followers : 0 };
}

/** One seed's week and its arms' runs. */
export interface SeedRuns {
  seed: number;
  week: StadiumWeek;
  runs: DayRun[];
}

/** Runs every arm on one seed's week (the same history, forecast and riders for all). */
export function runSeed(input: StadiumWeekOptions, arms: readonly DayArm[], options = DEFAULT_DAY_OPTIONS): SeedRuns {
  const week = stadiumWeek(input);
  return { seed: input.config.seed, week, runs: arms.map((arm) => runDay(week, input, arm, options)) };
}

const FIGURES: ReadonlyArray<{
  key: keyof DayFigures;
  label: string;
  better: "lower" | "higher";
  format: (x: number) => string;
}> = [
  { key: "venuePeak", label: "peak multiplier at the venue", better: "lower", format: (x) => `×${x.toFixed(2)}` },
  { key: "completionRate", label: "completion rate", better: "higher", format: (x) => `${(x * 100).toFixed(1)}%` },
  { key: "etaP50", label: "pickup ETA p50 (min)", better: "lower", format: (x) => x.toFixed(2) },
  { key: "etaP95", label: "pickup ETA p95 (min)", better: "lower", format: (x) => x.toFixed(2) },
  { key: "venueEtaP50", label: "venue: pickup ETA p50 (min)", better: "lower", format: (x) => x.toFixed(2) },
  { key: "venueEtaP95", label: "venue: pickup ETA p95 (min)", better: "lower", format: (x) => x.toFixed(2) },
  { key: "served", label: "riders served", better: "higher", format: (x) => x.toFixed(0) },
  { key: "pricedOut", label: "priced out (did not request)", better: "lower", format: (x) => x.toFixed(0) },
];

/** An arm's figure over the seeds: its mean, and against the first arm how many seeds were better, equal, worse. */
export interface ArmFigure {
  mean: number | null;
  better: number;
  same: number;
  worse: number;
}

/** Per arm, per figure, over the seeds: the whole run's figures (`scope` "whole") or a phase's. */
export function compareSeeds(seeds: readonly SeedRuns[], scope = "whole"): Record<string, Record<string, ArmFigure>> {
  const out: Record<string, Record<string, ArmFigure>> = {};
  const figuresOf = (r: DayRun) => (scope === "whole" ? r.whole : r.phases[scope]);
  const arms = seeds[0]?.runs.map((r) => r.arm.name) ?? [];
  arms.forEach((arm, a) => {
    out[arm] = {};
    for (const f of FIGURES) {
      const values: number[] = [];
      let better = 0;
      let same = 0;
      let worse = 0;
      for (const s of seeds) {
        const run = s.runs[a];
        const base = s.runs[0];
        const v = run ? figuresOf(run)?.[f.key] : null;
        const b = base ? figuresOf(base)?.[f.key] : null;
        if (typeof v !== "number") continue;
        values.push(v);
        if (typeof b !== "number") continue;
        const d = f.better === "lower" ? b - v : v - b;
        if (Math.abs(d) < 1e-9) same += 1;
        else if (d > 0) better += 1;
        else worse += 1;
      }
      (out[arm] as Record<string, ArmFigure>)[f.key] = {
        mean: values.length > 0 ? values.reduce((x, y) => x + y, 0) / values.length : null,
        better,
        same,
        worse,
      };
    }
  });
  return out;
}

/**
 * The comparison as a table: each arm's mean over the seeds and, beside every arm after the
 * first, in how many seeds it was better / equal / worse than the first.
 */
export function comparisonTable(seeds: readonly SeedRuns[], scope = "whole"): string[] {
  const table = compareSeeds(seeds, scope);
  const arms = Object.keys(table);
  const width = 34;
  const cell = 22;
  const lines = [`${"".padEnd(width)}${arms.map((a) => a.padStart(cell)).join("")}`];
  for (const f of FIGURES) {
    const parts = arms.map((arm, i) => {
      const x = table[arm]?.[f.key];
      if (!x || x.mean === null) return "–".padStart(cell);
      const value = f.format(x.mean);
      return (i === 0 || seeds.length < 2 ? value : `${value} (${x.better}/${x.same}/${x.worse})`).padStart(cell);
    });
    lines.push(`${f.label.padEnd(width)}${parts.join("")}`);
  }
  if (seeds.length > 1 && arms.length > 1)
    lines.push(`(mean over ${seeds.length} seeds; in brackets: seeds better / equal / worse than ${arms[0]})`);
  return lines;
}
