import { computeFare, type FareSchedule } from "../shared/pricing/fare";
import { estimateTrip, greatCircleMeters, type LatLng, type TripModel } from "../shared/pricing/trip";
import { between, type City } from "./city";
import { Random } from "./random";
import { type Conditions, phaseOf, type Scenario } from "./scenario";
import { DEFAULT_WILLINGNESS, drawWillingness, type WillingnessToPay } from "./willingness";

/**
 * The market simulation: riders, drivers and trips, as a pure, seeded state machine. It has no
 * clock and does no I/O. A shell drives it one step at a time and feeds it the platform's
 * answers (the heatmap's multipliers, the quotes riders were given); it returns the events the
 * driver and rider apps would send, and a row of figures at the end of every simulated minute.
 *
 * One step, in order:
 *   1. `arrivals()`  riders open the app (a time-varying Poisson process per cell)
 *   2. `advance()`   trips that ended free their drivers; drivers come online or go home;
 *                    each new rider requests if the price is within their willingness to pay;
 *                    waiting riders are matched to the nearest idle driver within reach (or
 *                    give up after their patience); idle drivers drift toward higher
 *                    multipliers; the clock moves one step; the apps report what changed.
 */

export interface SimulationConfig {
  seed: number;
  scenario: Scenario;
  minutes: number;
  /** Simulated seconds per step; divides 60 so minutes close on a step. */
  stepSeconds: number;
  /** Drivers in the fleet (the scenario decides how many are online); half as many again wait offline for surge. */
  fleet: number;
  /** City-wide riders opening the app per minute on an ordinary weekday. */
  ridersPerMinute: number;
  /** The product riders ask for. */
  fare: FareSchedule;
  trip: TripModel;
  willingness: WillingnessToPay;
  /** Mean great-circle length of a trip. */
  meanTripKm: number;
  /** The farthest (road) distance a driver is sent to a pickup. */
  maxPickupKm: number;
  /** How long a rider who requested waits for a driver before giving up. */
  patienceSeconds: number;
  /** Idle drivers' repositioning. */
  drift: DriftConfig;
  /** A driver's app reports at least this often, in simulated seconds (the platform forgets silent drivers). */
  reportEverySeconds: number;
  /** Share of arriving riders the shell asks the platform to quote; the rest are priced from the heatmap. */
  quoteShare: number;
  /** Share of the online fleet already on a trip at the start, so a run begins near steady state. */
  initialBusyShare: number;
  /** Venue of a stadium scenario; the market's best-known venue (or centre) when absent. */
  venue?: LatLng;
  /**
   * How the online fleet answers the price: it is the scenario's share × m̄^ε, where m̄ is the
   * market's mean multiplier over its cells as drivers have seen it lately (a 5-minute moving
   * average). At 0 the fleet ignores surge (only idle drivers' drift toward it remains); at 0.3
   * (the default) a city-wide ×1.5 brings 13% more drivers online and keeps them on longer.
   * Chen & Sheldon (2016) found Uber drivers' hours rise with surge; the size here is a
   * parameter, not their estimate.
   */
  supplyElasticity: number;
  /** Drivers who subscribed to hotspots and drive toward them when a ranking arrives (absent: none). */
  followers?: FollowerConfig;
}

/**
 * Drivers who subscribed to hotspots: a share of the fleet (drawn once, from a stream of its own,
 * so the rest of the run's draws do not move). When a ranking arrives (`PlatformView.hotspots`),
 * each of them idle and not already in one of its top cells heads for one of the top `top` cells
 * within `reachKm` (road km), chosen in proportion to its shortage.
 */
export interface FollowerConfig {
  share: number;
  top: number;
  reachKm: number;
}

/** Default supply elasticity: see `SimulationConfig.supplyElasticity`. */
export const DEFAULT_SUPPLY_ELASTICITY = 0.3;
/** Drivers beyond the fleet who would log on for a high enough price, as a share of the fleet. */
const SUPPLY_RESERVE = 0.5;
/** How long drivers take to answer a change of price (the moving average's time constant). */
const SUPPLY_RESPONSE_SECONDS = 5 * 60;

export interface DriftConfig {
  /** Rate (per minute) at which an idle driver looks at the multipliers around them. */
  perMinute: number;
  /** How many rings of cells around them they look at. */
  rings: number;
  /** A cell must be at least this much above their own to be worth the drive. */
  threshold: number;
  /** Rate (per minute) at which an idle driver with nowhere better to go moves to a neighbouring cell. */
  wanderPerMinute: number;
}

/**
 * Defaults sized to a market's cell count: about half a rider per cell per minute and a fleet
 * that keeps an ordinary weekday near balance (multipliers at or close to 1.0).
 */
export function simulationDefaults(cells: number): Omit<SimulationConfig, "seed" | "scenario" | "minutes" | "fare" | "trip"> {
  return {
    stepSeconds: 5,
    fleet: Math.max(10, Math.round(9.3 * cells)),
    ridersPerMinute: Math.max(1, Math.round(0.55 * cells)),
    willingness: DEFAULT_WILLINGNESS,
    meanTripKm: 3,
    maxPickupKm: 3,
    patienceSeconds: 120,
    drift: { perMinute: 0.5, rings: 2, threshold: 0.2, wanderPerMinute: 0.1 },
    reportEverySeconds: 20,
    quoteShare: 1,
    initialBusyShare: 0.6,
    supplyElasticity: DEFAULT_SUPPLY_ELASTICITY,
  };
}

/** A rider opening the app. */
export interface Arrival {
  riderId: string;
  pickup: LatLng;
  dropoff: LatLng;
  cell: string;
  /** The shell should ask the platform for this rider's quote (else the heatmap prices it). */
  wantsQuote: boolean;
}

/** A quote as the platform gave it. */
export interface QuoteAnswer {
  total: number;
  multiplier: number;
}

/** What the platform said, as of this step. */
export interface PlatformView {
  heatmap: ReadonlyArray<{ cell: string; multiplier: number; supply?: number; demand?: number }>;
  quotes?: ReadonlyMap<string, QuoteAnswer>;
  /** A hotspot ranking sent to subscribed drivers this step (most short first), if one was sent. */
  hotspots?: ReadonlyArray<{ cell: string; shortage: number }>;
}

export type DriverStatus = "available" | "busy" | "offline";

/** A driver app's report (the shell adds the event id and the wall-clock time). */
export interface SupplyReport {
  driverId: string;
  lat: number;
  lng: number;
  status: DriverStatus;
}

/** A rider app's signal: a search when they look at the price, a request when they book. */
export interface DemandSignal {
  riderId: string;
  lat: number;
  lng: number;
  kind: "search" | "request";
}

export interface Match {
  riderId: string;
  driverId: string;
  assignedAt: number;
  pickupAt: number;
  endsAt: number;
  pickupKm: number;
}

/** The figures of one simulated minute. Means are null when nothing was measured. */
export interface MinuteRow {
  /** The minute's start, in minutes since the run began. */
  minute: number;
  phase: string;
  /** Riders who opened the app (demand). */
  arrivals: number;
  requests: number;
  served: number;
  /** Riders who requested and gave up without a driver. */
  unserved: number;
  /** served ÷ (served + unserved), of the riders whose request resolved in this minute. */
  completionRate: number | null;
  meanPickupKm: number | null;
  /** Pickup ETA (driver's drive to the rider) of riders matched in this minute. */
  meanEtaMin: number | null;
  /** Request to pickup: time waiting for a match plus the ETA. */
  meanWaitMin: number | null;
  /** Mean multiplier riders were quoted. */
  meanMultiplier: number | null;
  /** Highest multiplier in the market at the minute's end. */
  maxMultiplier: number;
  /** Highest multiplier over the venue's cells at the minute's end (venue scenarios). */
  venueMultiplier: number | null;
  venueRequests: number;
  venueServed: number;
  venueUnserved: number;
  venueCompletionRate: number | null;
  venueEtaMin: number | null;
  /** Mean idle drivers online (supply). */
  supply: number;
  busy: number;
  online: number;
  /** Sum of supply and demand over the platform's heatmap at the minute's end. */
  platformSupply: number;
  platformDemand: number;
}

export interface StepResult {
  supply: SupplyReport[];
  demand: DemandSignal[];
  matches: Match[];
  /** Present when this step closed a minute. */
  minute: MinuteRow | undefined;
}

interface Job {
  riderId: string | undefined;
  from: LatLng;
  pickup: LatLng;
  dropoff: LatLng;
  assignedAt: number;
  pickupAt: number;
  endsAt: number;
}

interface Driver {
  id: string;
  position: LatLng;
  /** The last market cell the driver was in: reports never leave the market. */
  cell: string;
  state: "idle" | "busy" | "offline";
  job: Job | undefined;
  target: LatLng | undefined;
  /** Goes offline when the current trip ends. */
  leaving: boolean;
  /** Subscribed to hotspots (see `FollowerConfig`). */
  follower: boolean;
  reported: { status: DriverStatus; cell: string; at: number } | undefined;
}

interface Rider extends Arrival {
  venue: boolean;
  staticFare: number;
  willingness: number;
}

interface Waiting {
  rider: Rider;
  requestedAt: number;
}

interface Tally {
  arrivals: number;
  requests: number;
  served: number;
  unserved: number;
  pickupKm: number;
  etaSeconds: number;
  waitSeconds: number;
  multiplier: number;
  venueRequests: number;
  venueServed: number;
  venueUnserved: number;
  venueEtaSeconds: number;
  idle: number;
  busy: number;
  online: number;
  samples: number;
}

const emptyTally = (): Tally => ({
  arrivals: 0,
  requests: 0,
  served: 0,
  unserved: 0,
  pickupKm: 0,
  etaSeconds: 0,
  waitSeconds: 0,
  multiplier: 0,
  venueRequests: 0,
  venueServed: 0,
  venueUnserved: 0,
  venueEtaSeconds: 0,
  idle: 0,
  busy: 0,
  online: 0,
  samples: 0,
});

export class Simulation {
  readonly config: SimulationConfig;
  readonly city: City;
  readonly venueCells: ReadonlySet<string>;
  /** Simulated seconds since the start. */
  now = 0;

  readonly #drivers: Driver[] = [];
  #waiting: Waiting[] = [];
  #arrivals: Rider[] | undefined;
  #riderCount = 0;
  #tally = emptyTally();
  // Independent streams: riders do not depend on what drivers did, so two runs of one seed see the same riders.
  readonly #riderRandom: Random;
  readonly #driverRandom: Random;
  readonly #followerRandom: Random;
  readonly #cellWeights = new Map<number, number[]>();
  /** The market's mean multiplier as drivers have lately seen it (see `supplyElasticity`). */
  #seenMultiplier = 1;

  constructor(city: City, config: SimulationConfig) {
    if (!(config.stepSeconds > 0 && 60 % config.stepSeconds === 0)) throw new RangeError("stepSeconds must divide 60");
    if (!(config.minutes > 0)) throw new RangeError("minutes must be positive");
    this.config = config;
    this.city = city;
    this.venueCells = new Set(config.scenario.usesVenue ? city.venue(config.venue).cells : []);
    this.#riderRandom = new Random(config.seed, "riders");
    this.#driverRandom = new Random(config.seed, "drivers");
    this.#followerRandom = new Random(config.seed, "followers");
    const fleetRandom = new Random(config.seed, "fleet");

    const online = Math.round(config.fleet * this.#conditions().online);
    // The fleet, then the reserve: drivers who log on only when the price pulls them (offline at first).
    const pool = config.fleet + Math.round(config.fleet * SUPPLY_RESERVE);
    for (let i = 0; i < pool; i++) {
      const cell = city.cells[fleetRandom.int(city.cells.length)] ?? city.cells[0] ?? "";
      const position = city.pointIn(cell, fleetRandom);
      const driver: Driver = {
        id: `d${i}`,
        position,
        cell,
        state: i < online ? "idle" : "offline",
        job: undefined,
        target: undefined,
        leaving: false,
        follower: this.#followerRandom.chance(config.followers?.share ?? 0),
        reported: undefined,
      };
      // Part of the fleet starts mid-trip, so the run opens near a steady state rather than with every driver idle.
      const dropoff = city.destination(position, config.meanTripKm, fleetRandom);
      const busyFor = fleetRandom.next() * 20 * 60;
      if (driver.state === "idle" && fleetRandom.chance(config.initialBusyShare)) {
        driver.state = "busy";
        driver.job = {
          riderId: undefined,
          from: position,
          pickup: position,
          dropoff,
          assignedAt: 0,
          pickupAt: 0,
          endsAt: busyFor,
        };
      }
      this.#drivers.push(driver);
    }
  }

  get done(): boolean {
    return this.now >= this.config.minutes * 60;
  }

  /** Riders opening the app during the coming step. Called once per step, before `advance`. */
  arrivals(): Arrival[] {
    if (!this.#arrivals) this.#arrivals = this.#arrive();
    return this.#arrivals.map(({ riderId, pickup, dropoff, cell, wantsQuote }) => ({
      riderId,
      pickup,
      dropoff,
      cell,
      wantsQuote,
    }));
  }

  /** One step: see the class comment for the order. */
  advance(view: PlatformView): StepResult {
    if (this.done) throw new Error("the run is over");
    const riders = this.#arrivals ?? this.#arrive();
    this.#arrivals = undefined;
    const multipliers = new Map(view.heatmap.map((c) => [c.cell, c.multiplier]));
    const demand: DemandSignal[] = [];
    const matches: Match[] = [];

    this.#endTrips();
    this.#notice(multipliers);
    this.#shiftChange();
    for (const rider of riders) this.#decide(rider, multipliers, view.quotes, demand);
    this.#match(matches);
    if (view.hotspots) this.#follow(view.hotspots);
    this.#move(multipliers);
    this.now += this.config.stepSeconds;
    const supply = this.#reports();
    this.#sample();

    const minute = this.now % 60 === 0 ? this.#closeMinute(view, multipliers) : undefined;
    return { supply, demand, matches, minute };
  }

  /**
   * After the run, before signing off: every trip ends and every online driver reports itself
   * available where it is, so the platform sees supply while the riders' demand fades, and the
   * city settles at ×1.0 instead of drivers vanishing under lingering demand.
   */
  settle(): SupplyReport[] {
    const out: SupplyReport[] = [];
    for (const d of this.#drivers) {
      if (d.state === "offline") continue;
      if (d.job) d.position = d.job.dropoff;
      d.job = undefined;
      d.state = "idle";
      d.leaving = false;
      out.push(this.#report(d, "available"));
    }
    this.#waiting = [];
    return out;
  }

  /** The apps' last word: every driver still online signs off. */
  finish(): SupplyReport[] {
    const out: SupplyReport[] = [];
    for (const d of this.#drivers) {
      if (d.state === "offline") continue;
      d.state = "offline";
      d.job = undefined;
      out.push(this.#report(d, "offline"));
    }
    return out;
  }

  /** How many drivers are idle, busy and offline right now. */
  fleetState(): { idle: number; busy: number; offline: number } {
    const count = { idle: 0, busy: 0, offline: 0 };
    for (const d of this.#drivers) count[d.state] += 1;
    return count;
  }

  #conditions(at = this.now): Conditions {
    const total = this.config.minutes * 60;
    return this.config.scenario.conditions(Math.min(at / total, 0.999999), at / 60);
  }

  #arrive(): Rider[] {
    const c = this.#conditions();
    const cells = this.city.cells;
    const venueFactor = this.config.scenario.usesVenue ? c.venueDemand : 1;
    const cumulative = this.#weights(venueFactor);
    const weightTotal = cumulative[cumulative.length - 1] ?? 0;
    const perCell = (this.config.ridersPerMinute * c.demand) / cells.length;
    const mean = (perCell * weightTotal * this.config.stepSeconds) / 60;
    const count = this.#riderRandom.poisson(mean);
    const riders: Rider[] = [];
    for (let i = 0; i < count; i++) {
      const r = this.#riderRandom;
      const cell = cells[r.weighted(cumulative)] ?? cells[0] ?? "";
      const pickup = this.city.pointIn(cell, r);
      const dropoff = this.city.destination(pickup, this.config.meanTripKm, r);
      const staticFare = computeFare(this.config.fare, estimateTrip(pickup, dropoff, this.config.trip), 10).total;
      const willingness = drawWillingness(staticFare, this.config.willingness, r);
      const wantsQuote = r.chance(this.config.quoteShare);
      this.#riderCount += 1;
      riders.push({
        riderId: `r${this.#riderCount}`,
        pickup,
        dropoff,
        cell,
        wantsQuote,
        venue: this.venueCells.has(cell),
        staticFare,
        willingness,
      });
    }
    return riders;
  }

  /** Cumulative arrival weights over the city's cells: 1 each, the venue's scaled. */
  #weights(venueFactor: number): number[] {
    let w = this.#cellWeights.get(venueFactor);
    if (!w) {
      let sum = 0;
      w = this.city.cells.map((cell) => {
        sum += this.venueCells.has(cell) ? venueFactor : 1;
        return sum;
      });
      this.#cellWeights.set(venueFactor, w);
    }
    return w;
  }

  #endTrips(): void {
    for (const d of this.#drivers) {
      if (d.state !== "busy" || !d.job || d.job.endsAt > this.now) continue;
      d.position = d.job.dropoff;
      d.job = undefined;
      d.target = undefined;
      d.state = d.leaving ? "offline" : "idle";
      d.leaving = false;
    }
  }

  /** Drivers' view of the price: the mean over the market's cells (1.0 where none is shown), moving slowly. */
  #notice(multipliers: ReadonlyMap<string, number>): void {
    const cells = this.city.cells;
    if (cells.length === 0) return;
    let sum = 0;
    for (const cell of cells) sum += multipliers.get(cell) ?? 1;
    const alpha = 1 - Math.exp(-this.config.stepSeconds / SUPPLY_RESPONSE_SECONDS);
    this.#seenMultiplier += alpha * (sum / cells.length - this.#seenMultiplier);
  }

  /**
   * Brings the online fleet to the scenario's share, times the price's pull (`supplyElasticity`):
   * idle drivers go home first, busy ones after their trip.
   */
  #shiftChange(): void {
    const pull = Math.max(1, this.#seenMultiplier) ** this.config.supplyElasticity;
    const wanted = Math.min(this.#drivers.length, Math.round(this.config.fleet * this.#conditions().online * pull));
    const online = this.#drivers.filter((d) => d.state !== "offline" && !d.leaving);
    let surplus = online.length - wanted;
    if (surplus > 0) {
      const idle = online.filter((d) => d.state === "idle");
      while (surplus > 0 && idle.length > 0) {
        const [d] = idle.splice(this.#driverRandom.int(idle.length), 1);
        if (d) d.state = "offline";
        surplus -= 1;
      }
      const busy = online.filter((d) => d.state === "busy");
      while (surplus > 0 && busy.length > 0) {
        const [d] = busy.splice(this.#driverRandom.int(busy.length), 1);
        if (d) d.leaving = true;
        surplus -= 1;
      }
    } else if (surplus < 0) {
      let missing = -surplus;
      for (const d of this.#drivers) {
        if (missing === 0) break;
        if (d.leaving) {
          d.leaving = false;
          missing -= 1;
        }
      }
      const offline = this.#drivers.filter((d) => d.state === "offline");
      while (missing > 0 && offline.length > 0) {
        const [d] = offline.splice(this.#driverRandom.int(offline.length), 1);
        if (d) d.state = "idle";
        missing -= 1;
      }
    }
  }

  /** The rider sees a price and requests if it is within what they will pay. */
  #decide(
    rider: Rider,
    multipliers: ReadonlyMap<string, number>,
    quotes: ReadonlyMap<string, QuoteAnswer> | undefined,
    demand: DemandSignal[],
  ): void {
    const quote = quotes?.get(rider.riderId);
    const multiplier = quote?.multiplier ?? multipliers.get(rider.cell) ?? 1;
    const price =
      quote?.total ??
      computeFare(this.config.fare, estimateTrip(rider.pickup, rider.dropoff, this.config.trip), tenths(multiplier)).total;
    const t = this.#tally;
    t.arrivals += 1;
    t.multiplier += multiplier;
    const at = { riderId: rider.riderId, lat: rider.pickup.lat, lng: rider.pickup.lng };
    demand.push({ ...at, kind: "search" });
    if (price > rider.willingness) return;
    demand.push({ ...at, kind: "request" });
    t.requests += 1;
    if (rider.venue) t.venueRequests += 1;
    this.#waiting.push({ rider, requestedAt: this.now });
  }

  /** First come, first served: each waiting rider gets the nearest idle driver within reach. */
  #match(matches: Match[]): void {
    const { detourFactor, speedKmh } = this.config.trip;
    const idle = this.#drivers.filter((d) => d.state === "idle");
    const still: Waiting[] = [];
    for (const w of this.#waiting) {
      let best: Driver | undefined;
      let bestKm = Number.POSITIVE_INFINITY;
      for (const d of idle) {
        if (d.state !== "idle") continue;
        const km = (greatCircleMeters(d.position, w.rider.pickup) / 1000) * detourFactor;
        if (km < bestKm) {
          best = d;
          bestKm = km;
        }
      }
      const t = this.#tally;
      if (best && bestKm <= this.config.maxPickupKm) {
        const etaSeconds = (bestKm / speedKmh) * 3600;
        const tripSeconds = estimateTrip(w.rider.pickup, w.rider.dropoff, this.config.trip).durationSeconds;
        const job: Job = {
          riderId: w.rider.riderId,
          from: best.position,
          pickup: w.rider.pickup,
          dropoff: w.rider.dropoff,
          assignedAt: this.now,
          pickupAt: this.now + etaSeconds,
          endsAt: this.now + etaSeconds + tripSeconds,
        };
        best.state = "busy";
        best.job = job;
        best.target = undefined;
        matches.push({
          riderId: w.rider.riderId,
          driverId: best.id,
          assignedAt: job.assignedAt,
          pickupAt: job.pickupAt,
          endsAt: job.endsAt,
          pickupKm: bestKm,
        });
        t.served += 1;
        t.pickupKm += bestKm;
        t.etaSeconds += etaSeconds;
        t.waitSeconds += this.now - w.requestedAt + etaSeconds;
        if (w.rider.venue) {
          t.venueServed += 1;
          t.venueEtaSeconds += etaSeconds;
        }
      } else if (this.now - w.requestedAt >= this.config.patienceSeconds) {
        t.unserved += 1;
        if (w.rider.venue) t.venueUnserved += 1;
      } else {
        still.push(w);
      }
    }
    this.#waiting = still;
  }

  /** Idle drivers drift toward higher multipliers (or wander); busy ones follow their trip. */
  #move(multipliers: ReadonlyMap<string, number>): void {
    const { stepSeconds, drift, trip } = this.config;
    const lookChance = 1 - Math.exp((-drift.perMinute * stepSeconds) / 60);
    const wanderChance = 1 - Math.exp((-drift.wanderPerMinute * stepSeconds) / 60);
    // Straight-line progress: the road is `detourFactor` longer than the line.
    const stepKm = (trip.speedKmh / trip.detourFactor) * (stepSeconds / 3600);
    const then = this.now + stepSeconds;
    for (const d of this.#drivers) {
      if (d.state === "busy" && d.job) {
        const j = d.job;
        d.position =
          then < j.pickupAt
            ? between(j.from, j.pickup, (then - j.assignedAt) / Math.max(1, j.pickupAt - j.assignedAt))
            : between(j.pickup, j.dropoff, (then - j.pickupAt) / Math.max(1, j.endsAt - j.pickupAt));
        continue;
      }
      if (d.state !== "idle") continue;
      const r = this.#driverRandom;
      // Both draws always happen, so one driver's choice never shifts the stream for the next.
      const looks = r.chance(lookChance);
      const wanders = r.chance(wanderChance);
      const pick = r.next();
      if (!d.target && looks) d.target = this.#better(d.cell, multipliers);
      if (!d.target && wanders) {
        const around = this.city.near(d.cell, 1);
        const next = around[1 + Math.floor(pick * (around.length - 1))];
        if (next) d.target = this.city.centre(next);
      }
      if (d.target) {
        const km = greatCircleMeters(d.position, d.target) / 1000;
        if (km <= stepKm) {
          d.position = d.target;
          d.target = undefined;
        } else {
          d.position = between(d.position, d.target, stepKm / km);
        }
      }
    }
  }

  /**
   * Subscribed drivers, idle and outside the ranking's top cells, head for one of the top cells
   * within reach, in proportion to its shortage; the choice is drawn from the followers' own stream.
   */
  #follow(hotspots: ReadonlyArray<{ cell: string; shortage: number }>): void {
    const f = this.config.followers;
    if (!f || f.share <= 0) return;
    const top = hotspots.filter((h) => h.shortage > 0 && this.city.has(h.cell)).slice(0, f.top);
    if (top.length === 0) return;
    const inTop = new Set(top.map((h) => h.cell));
    const { detourFactor } = this.config.trip;
    for (const d of this.#drivers) {
      if (!d.follower || d.state !== "idle" || inTop.has(d.cell)) continue;
      const reach = top.filter(
        (h) => (greatCircleMeters(d.position, this.city.centre(h.cell)) / 1000) * detourFactor <= f.reachKm,
      );
      const total = reach.reduce((a, h) => a + h.shortage, 0);
      let pick = this.#followerRandom.next() * total;
      for (const h of reach) {
        pick -= h.shortage;
        if (pick < 0 || h === reach[reach.length - 1]) {
          d.target = this.city.centre(h.cell);
          break;
        }
      }
    }
  }

  /** The centre of the highest-priced cell within reach, if it beats the driver's own by the threshold. */
  #better(cell: string, multipliers: ReadonlyMap<string, number>): LatLng | undefined {
    const own = multipliers.get(cell) ?? 1;
    let best = cell;
    let bestMultiplier = own;
    for (const c of this.city.near(cell, this.config.drift.rings)) {
      const m = multipliers.get(c) ?? 1;
      if (m > bestMultiplier) {
        best = c;
        bestMultiplier = m;
      }
    }
    return bestMultiplier >= own + this.config.drift.threshold - 1e-9 && best !== cell ? this.city.centre(best) : undefined;
  }

  /** What the apps send: a status change, a move into another cell, or a refresh before the platform forgets. */
  #reports(): SupplyReport[] {
    const out: SupplyReport[] = [];
    for (const d of this.#drivers) {
      const status: DriverStatus = d.state === "idle" ? "available" : d.state === "busy" ? "busy" : "offline";
      const cell = this.city.cellOf(d.position);
      if (cell) d.cell = cell;
      const last = d.reported;
      if (status === "offline" && (!last || last.status === "offline")) continue;
      const due = !last || last.status !== status || last.cell !== d.cell || this.now - last.at >= this.config.reportEverySeconds;
      if (due) out.push(this.#report(d, status));
    }
    return out;
  }

  #report(d: Driver, status: DriverStatus): SupplyReport {
    d.reported = { status, cell: d.cell, at: this.now };
    const at = this.city.cellOf(d.position) ? d.position : this.city.centre(d.cell);
    return { driverId: d.id, lat: at.lat, lng: at.lng, status };
  }

  #sample(): void {
    const t = this.#tally;
    for (const d of this.#drivers) {
      if (d.state === "idle") t.idle += 1;
      else if (d.state === "busy") t.busy += 1;
      if (d.state !== "offline") t.online += 1;
    }
    t.samples += 1;
  }

  #closeMinute(view: PlatformView, multipliers: ReadonlyMap<string, number>): MinuteRow {
    const t = this.#tally;
    this.#tally = emptyTally();
    const minute = this.now / 60 - 1;
    const resolved = t.served + t.unserved;
    const venueResolved = t.venueServed + t.venueUnserved;
    let maxMultiplier = 1;
    let platformSupply = 0;
    let platformDemand = 0;
    for (const c of view.heatmap) {
      maxMultiplier = Math.max(maxMultiplier, c.multiplier);
      platformSupply += c.supply ?? 0;
      platformDemand += c.demand ?? 0;
    }
    let venueMultiplier: number | null = null;
    for (const cell of this.venueCells) venueMultiplier = Math.max(venueMultiplier ?? 1, multipliers.get(cell) ?? 1);
    const per = (x: number, n: number) => (n > 0 ? x / n : null);
    const samples = Math.max(1, t.samples);
    return {
      minute,
      phase: phaseOf(this.config.scenario, (minute + 0.5) / this.config.minutes),
      arrivals: t.arrivals,
      requests: t.requests,
      served: t.served,
      unserved: t.unserved,
      completionRate: per(t.served, resolved),
      meanPickupKm: per(t.pickupKm, t.served),
      meanEtaMin: per(t.etaSeconds / 60, t.served),
      meanWaitMin: per(t.waitSeconds / 60, t.served),
      meanMultiplier: per(t.multiplier, t.arrivals),
      maxMultiplier,
      venueMultiplier,
      venueRequests: t.venueRequests,
      venueServed: t.venueServed,
      venueUnserved: t.venueUnserved,
      venueCompletionRate: per(t.venueServed, venueResolved),
      venueEtaMin: per(t.venueEtaSeconds / 60, t.venueServed),
      supply: t.idle / samples,
      busy: t.busy / samples,
      online: t.online / samples,
      platformSupply,
      platformDemand: Math.round(platformDemand * 100) / 100,
    };
  }
}

/** A multiplier as the integer tenths the fare is computed in (×1.3 → 13). */
function tenths(multiplier: number): number {
  return Math.max(10, Math.round(multiplier * 10));
}
