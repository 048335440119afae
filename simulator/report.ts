import type { Scenario } from "./scenario";
import type { MinuteRow } from "./simulation";

/**
 * A run's figures: the per-minute CSV, the console table, and the summary of a stretch of the
 * run (the spike, the storm, the shortage) that the comparison of dynamic and static pricing
 * is about.
 */

export type Pricing = "dynamic" | "static";

/** Totals and means over some minutes. Rates and means are null when nothing was measured. */
export interface WindowFigures {
  minutes: number;
  arrivals: number;
  requests: number;
  /** Riders who opened the app, saw the price and did not request: priced out (at 1.0 too, some are). */
  pricedOut: number;
  served: number;
  unserved: number;
  /** Riders served, over riders who opened the app: what the market did for everyone who wanted a ride. */
  servedRate: number | null;
  /** Riders who requested, over riders who opened the app. */
  requestRate: number | null;
  completionRate: number | null;
  meanEtaMin: number | null;
  meanWaitMin: number | null;
  meanMultiplier: number | null;
  maxMultiplier: number;
  venue: {
    requests: number;
    served: number;
    unserved: number;
    completionRate: number | null;
    meanEtaMin: number | null;
    maxMultiplier: number | null;
  };
}

export interface RunSummary {
  scenario: string;
  pricing: Pricing;
  seed: number;
  minutes: number;
  whole: WindowFigures;
  phases: Record<string, WindowFigures>;
  /** The last minute's multipliers: the market at rest shows 1.0. */
  end: { maxMultiplier: number; venueMultiplier: number | null; meanMultiplier: number | null };
  /**
   * The first minute after the event from which the multiplier that matters stays at 1.0: the
   * venue's highest, or for a city-wide event the mean quoted to riders (to 0.1).
   */
  restedAtMinute: number | null;
  /** The first minute after the event at which it was at 1.0 at all (it may rise again after). */
  firstRestedAtMinute: number | null;
  /** The minute the event ended (the first after it). */
  eventEndedAtMinute: number | null;
}

const round = (x: number | null, digits = 3) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** Figures over a set of minutes: sums of counts, means weighted by what they average over. */
export function figures(rows: readonly MinuteRow[]): WindowFigures {
  let arrivals = 0;
  let requests = 0;
  let served = 0;
  let unserved = 0;
  let eta = 0;
  let wait = 0;
  let multiplier = 0;
  let quoted = 0;
  let maxMultiplier = 1;
  let venueRequests = 0;
  let venueServed = 0;
  let venueUnserved = 0;
  let venueEta = 0;
  let venueMax: number | null = null;
  for (const r of rows) {
    arrivals += r.arrivals;
    requests += r.requests;
    served += r.served;
    unserved += r.unserved;
    eta += (r.meanEtaMin ?? 0) * r.served;
    wait += (r.meanWaitMin ?? 0) * r.served;
    if (r.meanMultiplier !== null) {
      multiplier += r.meanMultiplier * r.arrivals;
      quoted += r.arrivals;
    }
    maxMultiplier = Math.max(maxMultiplier, r.maxMultiplier);
    venueRequests += r.venueRequests;
    venueServed += r.venueServed;
    venueUnserved += r.venueUnserved;
    venueEta += (r.venueEtaMin ?? 0) * r.venueServed;
    if (r.venueMultiplier !== null) venueMax = Math.max(venueMax ?? 1, r.venueMultiplier);
  }
  const per = (x: number, n: number) => (n > 0 ? round(x / n) : null);
  return {
    minutes: rows.length,
    arrivals,
    requests,
    pricedOut: arrivals - requests,
    served,
    unserved,
    servedRate: per(served, arrivals),
    requestRate: per(requests, arrivals),
    completionRate: per(served, served + unserved),
    meanEtaMin: per(eta, served),
    meanWaitMin: per(wait, served),
    meanMultiplier: per(multiplier, quoted),
    maxMultiplier,
    venue: {
      requests: venueRequests,
      served: venueServed,
      unserved: venueUnserved,
      completionRate: per(venueServed, venueServed + venueUnserved),
      meanEtaMin: per(venueEta, venueServed),
      maxMultiplier: venueMax,
    },
  };
}

export function summarize(rows: readonly MinuteRow[], run: { scenario: Scenario; pricing: Pricing; seed: number }): RunSummary {
  const phases: Record<string, WindowFigures> = {};
  for (const p of run.scenario.phases) phases[p.name] = figures(rows.filter((r) => r.phase === p.name));
  const last = rows[rows.length - 1];
  // A venue is watched cell by cell; a city-wide event by what riders are quoted on average, since
  // on any ordinary minute some cell of a market is surging a little.
  const watched = (r: MinuteRow) => r.venueMultiplier ?? Math.round((r.meanMultiplier ?? 1) * 10) / 10;
  const eventRows = rows.filter((r) => r.phase === run.scenario.eventPhase);
  const eventEnd = eventRows.length > 0 ? (eventRows[eventRows.length - 1]?.minute ?? 0) + 1 : 0;
  let restedAtMinute: number | null = null;
  let firstRestedAtMinute: number | null = null;
  // A run stopped before its event ends says nothing about the market coming back to rest.
  const eventOver =
    run.scenario.eventPhase === undefined || rows.some((r) => r.minute >= eventEnd && r.phase !== run.scenario.eventPhase);
  for (const r of eventOver ? rows : []) {
    if (r.minute < eventEnd) continue;
    if (watched(r) > 1) restedAtMinute = null;
    else {
      restedAtMinute ??= r.minute;
      firstRestedAtMinute ??= r.minute;
    }
  }
  return {
    scenario: run.scenario.name,
    pricing: run.pricing,
    seed: run.seed,
    minutes: rows.length,
    whole: figures(rows),
    phases,
    end: {
      maxMultiplier: last?.maxMultiplier ?? 1,
      venueMultiplier: last?.venueMultiplier ?? null,
      meanMultiplier: round(last?.meanMultiplier ?? null),
    },
    restedAtMinute,
    firstRestedAtMinute,
    eventEndedAtMinute: run.scenario.eventPhase === undefined ? null : eventEnd,
  };
}

const COLUMNS: ReadonlyArray<[string, (r: MinuteRow) => number | string | null]> = [
  ["minute", (r) => r.minute],
  ["phase", (r) => r.phase],
  ["arrivals", (r) => r.arrivals],
  ["requests", (r) => r.requests],
  ["priced_out", (r) => r.arrivals - r.requests],
  ["served", (r) => r.served],
  ["unserved", (r) => r.unserved],
  ["completion_rate", (r) => round(r.completionRate)],
  ["mean_pickup_km", (r) => round(r.meanPickupKm)],
  ["mean_eta_min", (r) => round(r.meanEtaMin)],
  ["mean_wait_min", (r) => round(r.meanWaitMin)],
  ["mean_multiplier", (r) => round(r.meanMultiplier)],
  ["max_multiplier", (r) => r.maxMultiplier],
  ["venue_multiplier", (r) => r.venueMultiplier],
  ["venue_requests", (r) => r.venueRequests],
  ["venue_served", (r) => r.venueServed],
  ["venue_unserved", (r) => r.venueUnserved],
  ["venue_completion_rate", (r) => round(r.venueCompletionRate)],
  ["venue_eta_min", (r) => round(r.venueEtaMin)],
  ["supply", (r) => round(r.supply, 1)],
  ["busy", (r) => round(r.busy, 1)],
  ["online", (r) => round(r.online, 1)],
  ["platform_supply", (r) => r.platformSupply],
  ["platform_demand", (r) => r.platformDemand],
];

/** The per-minute rows as CSV (empty fields where nothing was measured). */
export function toCsv(rows: readonly MinuteRow[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(",")];
  for (const r of rows) lines.push(COLUMNS.map(([, value]) => String(value(r) ?? "")).join(","));
  return `${lines.join("\n")}\n`;
}

const TABLE: ReadonlyArray<[string, number, (r: MinuteRow) => string]> = [
  ["min", 4, (r) => String(r.minute)],
  ["phase", 9, (r) => r.phase],
  ["riders", 6, (r) => String(r.arrivals)],
  ["req", 4, (r) => String(r.requests)],
  ["out", 4, (r) => String(r.arrivals - r.requests)],
  ["served", 6, (r) => String(r.served)],
  ["lost", 4, (r) => String(r.unserved)],
  ["compl", 5, (r) => percent(r.completionRate)],
  ["eta", 5, (r) => fixed(r.meanEtaMin, 1)],
  ["wait", 5, (r) => fixed(r.meanWaitMin, 1)],
  ["×mean", 5, (r) => fixed(r.meanMultiplier, 2)],
  ["×max", 4, (r) => fixed(r.maxMultiplier, 1)],
  ["×venue", 6, (r) => fixed(r.venueMultiplier, 1)],
  ["idle", 5, (r) => fixed(r.supply, 0)],
  ["busy", 5, (r) => fixed(r.busy, 0)],
];

/** The console table: a header once, then one line per minute. */
export const tableHeader = (): string => TABLE.map(([name, width]) => name.padStart(width)).join(" ");
export const tableRow = (r: MinuteRow): string => TABLE.map(([, width, value]) => value(r).padStart(width)).join(" ");

export function percent(x: number | null): string {
  return x === null ? "–" : `${Math.round(x * 100)}%`;
}

export function fixed(x: number | null, digits: number): string {
  return x === null ? "–" : x.toFixed(digits);
}
