import { MinHeap } from "../kit/min-heap";
import type { SurgeSettings } from "./market";
import {
  type ForecastInput,
  type NeighbourBalance,
  type PricingInputs,
  type PricingPolicy,
  predictiveSurge,
  withExperiments,
} from "./policy";
import { type Balance, decay, effectiveCap, liveHorizonMs, NEGLIGIBLE_DEMAND, type SurgeExplanation, underCap } from "./surge";
import type { EmergencyCap } from "./zone-config";
import { neighbourRings } from "./zoning";

/**
 * The live state of one zone — drivers, decaying demand and each cell's multiplier — as a
 * plain in-memory state machine. The zone Durable Object feeds it events, calls `tick` on its
 * alarm, persists what changed and broadcasts; everything here is deterministic given `now`.
 *
 * Memory is bounded: drivers expire after the supply window (and at most `MAX_DRIVERS` are
 * kept, the one with the oldest report evicted first), cells are limited to the zone's own cells,
 * and halo entries (neighbour zones' border cells) expire after `HALO_TTL_MS`.
 */

export interface DriverState {
  cell: string;
  available: boolean;
  at: number;
}

export interface CellState {
  demand: number;
  demandAt: number;
  smoothed: number;
  shownTenths: number;
  seq: number;
  computedAt: number;
}

export interface SurgeChange {
  cell: string;
  shownTenths: number;
  seq: number;
  at: number;
}

export interface CellReading {
  cell: string;
  shownTenths: number;
  seq: number;
  supply: number;
  demand: number;
  computedAt: number;
  explanation: SurgeExplanation;
}

export interface HistoryPoint {
  at: number;
  shownTenths: number;
  supply: number;
  demand: number;
}

/** What one source (a forecast, an experiment) tells a zone's policy, until a time. */
export interface SourceInputs {
  zone?: PricingInputs;
  cells?: Record<string, PricingInputs>;
  until?: number;
}

export const MAX_DRIVERS = 200_000;
/** Riders remembered per zone for "one rider counts once per cell per window" (least recently seen evicted). */
export const MAX_RIDERS = 50_000;
/** Recent history kept per cell: a point at most every HISTORY_SPACING_MS (or on a change), HISTORY_POINTS of them. */
export const HISTORY_SPACING_MS = 5_000;
export const HISTORY_POINTS = 120;
export const HALO_TTL_MS = 10_000;

/** What an event did to live state: counted, too old to count, or a rider already counted in this cell and window. */
export type Applied = "applied" | "stale" | "repeat";

export class ZoneState {
  /** Drivers in order of last sight (re-inserted on each update), so the stalest come first. */
  readonly #drivers = new Map<string, DriverState>();
  readonly cells = new Map<string, CellState>();
  readonly halo = new Map<string, Balance & { at: number }>();
  /** Available drivers per cell, kept as drivers come, change and expire (never recounted per tick). */
  readonly #supply = new Map<string, number>();
  /** Drivers by the time their report was stamped: expiry walks only what expires, in stamp order. */
  #expiry = new MinHeap<string>();
  #explanations = new Map<string, SurgeExplanation>();
  #rings = new Map<string, string[][]>();
  #history = new Map<string, HistoryPoint[]>();
  /** (rider, cell) → the weight already counted and when: a rider's demand counts once per cell per half-life. */
  #riders = new Map<string, { weight: number; at: number }>();
  /**
   * The riders counted in the generation before: riders are kept in two generations, the
   * current one started at most a half-life ago (or when it filled half of `MAX_RIDERS`), so
   * forgetting them is a swap, never a walk or an eviction per event.
   */
  #ridersBefore = new Map<string, { weight: number; at: number }>();
  #ridersSince = Number.NEGATIVE_INFINITY;

  /** Operators' emergency caps on single cells (on top of `emergencyCap`, which covers the whole zone). */
  cellCaps = new Map<string, number>();

  /** Inputs beyond the balance, by source ("forecast", "experiment:<id>"), each for the whole zone or some cells. */
  #sources = new Map<string, SourceInputs>();

  constructor(
    public ownCells: ReadonlySet<string>,
    public settings: SurgeSettings,
    public emergencyCap?: number,
    /** How a cell's balance becomes its multiplier: the surge curve (telling experiments' arms) unless a caller plugs in another. */
    readonly policy: PricingPolicy = withExperiments(predictiveSurge()),
  ) {}

  /**
   * Sets what a source tells the policy beyond cells' balances — a forecast, an experiment's
   * variants — for the whole zone and/or some of its cells, until a time; `undefined` clears the
   * source. Sources are merged field by field, cell inputs over zone inputs.
   */
  setInputs(source: string, inputs: SourceInputs | undefined): void {
    if (inputs === undefined) this.#sources.delete(source);
    else this.#sources.set(source, inputs);
  }

  /** What the policy knows of a cell beyond its balance, from every live source. */
  inputsFor(cell: string, now: number): PricingInputs {
    let merged: PricingInputs = {};
    for (const [source, s] of this.#sources) {
      if (s.until !== undefined && s.until <= now) {
        this.#sources.delete(source);
        continue;
      }
      const own = s.cells?.[cell];
      if (s.zone || own) merged = { ...merged, ...s.zone, ...own };
    }
    return merged;
  }

  /** Own cells some live source gives a forecast for. */
  *#forecastCells(now: number): Iterable<string> {
    for (const s of this.#sources.values()) {
      if (!s.cells || (s.until !== undefined && s.until <= now)) continue;
      for (const [cell, inputs] of Object.entries(s.cells)) if (inputs.forecast && this.ownCells.has(cell)) yield cell;
    }
  }

  /** Each cell's forecast as of `now`, looked up once per cell for a whole tick (cells are read by every neighbour). */
  #forecastLookup(now: number): (cell: string) => ForecastInput | undefined {
    const seen = new Map<string, ForecastInput | undefined>();
    return (cell) => {
      if (!seen.has(cell)) seen.set(cell, this.inputsFor(cell, now).forecast);
      return seen.get(cell);
    };
  }

  /**
   * Rebuilds live state after a restart from what was persisted: drivers (oldest first) and
   * cells' last values. Cells outside the zone's own are ignored.
   */
  restore(drivers: Iterable<[string, DriverState]>, cells: Iterable<[string, CellState]>, now: number): void {
    for (const [id, d] of drivers) this.#place(id, d);
    for (const [cell, c] of cells) if (this.ownCells.has(cell)) this.cells.set(cell, c);
    this.refreshSupply(now);
  }

  /** The emergency cap that applies to a cell, if any. */
  capFor(cell: string): number | undefined {
    const own = this.cellCaps.get(cell);
    if (own === undefined) return this.emergencyCap;
    return this.emergencyCap === undefined ? own : Math.min(own, this.emergencyCap);
  }

  /**
   * A driver's status. Older than the supply window, or older than what we know: ignored. A time
   * ahead of `now` counts as `now`: a clock that runs fast must not pin a driver's state.
   */
  applySupply(driverId: string, cell: string, available: boolean, reportedAt: number, now: number): Applied {
    const at = Math.min(reportedAt, now);
    if (at < now - this.settings.supplyWindowSeconds * 1000) return "stale";
    const known = this.#drivers.get(driverId);
    if (known && known.at > at) return "stale";
    this.#place(driverId, { cell, available, at });
    if (this.#drivers.size > MAX_DRIVERS) this.#forgetStalest();
    return "applied";
  }

  /**
   * Forgets the driver whose last report has the oldest stamp: the expiry heap's first entry that
   * is still its driver's (entries of drivers who reported since are dropped on the way). Not the
   * first key of `#drivers`: a Map's first key is found by walking past every entry deleted before
   * it, and a full zone deletes one at each report, so that walk grew with the zone (a third of
   * the ingest's time once a zone was full).
   */
  #forgetStalest(): void {
    for (let at = this.#expiry.peekKey(); at !== undefined; at = this.#expiry.peekKey()) {
      const id = this.#expiry.pop() as string;
      if (this.#drivers.get(id)?.at !== at) continue;
      this.#forget(id);
      return;
    }
  }

  /** The drivers this zone knows of, stalest first. */
  get drivers(): ReadonlyMap<string, DriverState> {
    return this.#drivers;
  }

  /** Puts a driver last in order of sight, moving its count from its old cell to its new one. */
  #place(id: string, d: DriverState): void {
    this.#forget(id);
    this.#drivers.set(id, d);
    this.#expiry.push(d.at, id);
    // Each report adds an entry; superseded ones wait for their stamp to expire. Keep them few.
    if (this.#expiry.size > 4 * this.#drivers.size + 1024) {
      this.#expiry = new MinHeap<string>();
      for (const [driver, known] of this.#drivers) this.#expiry.push(known.at, driver);
    }
    if (d.available) this.#supply.set(d.cell, (this.#supply.get(d.cell) ?? 0) + 1);
  }

  #forget(id: string): void {
    const d = this.#drivers.get(id);
    if (!d) return;
    this.#drivers.delete(id);
    if (!d.available) return;
    const n = (this.#supply.get(d.cell) ?? 0) - 1;
    if (n > 0) this.#supply.set(d.cell, n);
    else this.#supply.delete(d.cell);
  }

  /**
   * A search or ride request adds `weight` to the cell's decaying demand. A known rider counts
   * once per cell per half-life: a repeat adds only what exceeds the weight already counted (a
   * search then a request adds up to one request). A time ahead of `now` counts as `now`.
   */
  applyDemand(cell: string, weight: number, reportedAt: number, now: number, rider?: string): Applied {
    const at = Math.min(reportedAt, now);
    if (at < now - liveHorizonMs(this.settings)) return "stale";
    const half = this.settings.demandHalfLifeSeconds;
    let added = weight;
    if (rider !== undefined) {
      const key = `${rider}\u0000${cell}`;
      this.#rotateRiders(now);
      const seen = this.#riders.get(key) ?? this.#ridersBefore.get(key);
      const counted = seen && at - seen.at < half * 1000 ? seen.weight : 0;
      added = Math.max(0, weight - counted);
      if (added === 0) return "repeat";
      this.#riders.set(key, { weight: counted + added, at: counted > 0 && seen ? seen.at : at });
    }
    const c = this.#cell(cell);
    c.demand = decay(c.demand, c.demandAt, now, half) + decay(added, at, now, half);
    c.demandAt = now;
    return "applied";
  }

  /** Operators' emergency caps: the lowest live cap wins, per cell and for the zone as a whole. */
  setCaps(caps: readonly EmergencyCap[], now: number): void {
    const live = caps.filter((c) => c.until > now);
    const whole = live.filter((c) => c.cells === null).map((c) => c.cap);
    this.emergencyCap = whole.length > 0 ? Math.min(...whole) : undefined;
    this.cellCaps.clear();
    for (const c of live) {
      for (const cell of c.cells ?? []) {
        if (!this.ownCells.has(cell)) continue;
        this.cellCaps.set(cell, Math.min(c.cap, this.cellCaps.get(cell) ?? Number.POSITIVE_INFINITY));
      }
    }
  }

  /** The decayed demand of a cell at `now`. */
  demandAt(cell: string, now: number): number {
    const c = this.cells.get(cell);
    return c ? decay(c.demand, c.demandAt, now, this.settings.demandHalfLifeSeconds) : 0;
  }

  /** Balance of any cell we know of: our own, or a neighbour zone's from the halo. */
  balanceOf(cell: string, now: number): Balance | undefined {
    if (this.ownCells.has(cell)) return { supply: this.#supply.get(cell) ?? 0, demand: this.demandAt(cell, now) };
    const h = this.halo.get(cell);
    return h && now - h.at <= HALO_TTL_MS ? h : undefined;
  }

  /** Border cells of neighbour zones, as reported by those zones. */
  setHalo(balances: ReadonlyArray<Balance & { cell: string }>, now: number): void {
    for (const b of balances) this.halo.set(b.cell, { supply: b.supply, demand: b.demand, at: now });
  }

  /**
   * Recomputes every cell that can change: cells with demand, their neighbours, and cells
   * still moving back to rest. Returns the cells whose shown multiplier changed and whether
   * another tick is needed.
   */
  tick(now: number): { changes: SurgeChange[]; updated: string[]; active: boolean } {
    this.refreshSupply(now);
    for (const [cell, h] of this.halo) if (now - h.at > HALO_TTL_MS) this.halo.delete(cell);

    const rings = this.settings.neighbourRings;
    const candidates = new Set<string>();
    const addAround = (source: string) => {
      for (const ring of this.#ringsOf(source)) for (const c of ring) if (this.ownCells.has(c)) candidates.add(c);
    };
    for (const [cell, c] of this.cells) {
      if (c.smoothed !== 1 || c.shownTenths !== 10) candidates.add(cell);
      if (this.demandAt(cell, now) >= NEGLIGIBLE_DEMAND) addAround(cell);
    }
    for (const [cell, h] of this.halo) if (h.demand >= NEGLIGIBLE_DEMAND && rings > 0) addAround(cell);
    // Predictive surge may raise a cell its forecast expects demand in before any arrives.
    if (this.settings.predictive.mode !== "off") for (const cell of this.#forecastCells(now)) candidates.add(cell);

    const changes: SurgeChange[] = [];
    const updated: string[] = [];
    let active = false;
    const forecasts = this.settings.predictive.mode === "off" ? undefined : this.#forecastLookup(now);
    for (const cell of candidates) {
      const state = this.#cell(cell);
      const ringBalances = this.#ringsOf(cell).map((ring) =>
        ring.flatMap((c): NeighbourBalance[] => {
          const b = this.balanceOf(c, now);
          if (!b) return [];
          // Predictive surge raises every cell the curve pools by that cell's own forecast (policy.ts).
          const forecast = forecasts?.(c);
          return [forecast ? { ...b, forecast } : b];
        }),
      );
      const own = ringBalances[0]?.[0] ?? { supply: 0, demand: 0 };
      // A cell recomputed sooner than a whole interval after its last update takes a partial step.
      const since = state.computedAt > 0 ? now - state.computedAt : this.settings.updateIntervalMs;
      const update = this.policy.update({
        cell,
        now,
        share: Math.min(1, since / this.settings.updateIntervalMs),
        inputs: this.inputsFor(cell, now),
        own,
        rings: ringBalances,
        previousSmoothed: state.smoothed,
        previousShownTenths: state.shownTenths,
        settings: this.settings,
        emergencyCap: this.capFor(cell),
      });
      this.#explanations.set(cell, update.explanation);
      if (update.smoothed !== state.smoothed || update.shownTenths !== state.shownTenths) updated.push(cell);
      state.smoothed = update.smoothed;
      state.computedAt = now;
      const changed = update.shownTenths !== state.shownTenths;
      if (changed) {
        state.shownTenths = update.shownTenths;
        state.seq += 1;
        changes.push({ cell, shownTenths: state.shownTenths, seq: state.seq, at: now });
      }
      this.#record(cell, { at: now, shownTenths: state.shownTenths, supply: own.supply, demand: own.demand }, changed);
      if (update.smoothed !== 1 || update.shownTenths !== 10 || update.explanation.target !== 1) active = true;
    }
    return { changes, updated, active };
  }

  /**
   * The current reading of a cell, as last computed (1.0 and an empty story if never), under
   * every cap that binds now: the zone's emergency caps and `cap` (one the caller knows of, e.g.
   * an operator's that reached the edge before this zone's next tick) bind at once.
   */
  reading(cell: string, now: number, cap?: number): CellReading {
    const c = this.cells.get(cell);
    const supply = this.#supply.get(cell) ?? 0;
    const demand = this.demandAt(cell, now);
    const reading: CellReading = {
      cell,
      shownTenths: c?.shownTenths ?? 10,
      seq: c?.seq ?? 0,
      supply,
      demand: Math.round(demand * 1000) / 1000,
      // A cell that events have reached but no tick has priced yet rests at 1.0 as of now, not 1970.
      computedAt: c?.computedAt || now,
      explanation: this.#explanations.get(cell) ?? restingExplanation(supply, demand, this.settings.cap, this.capFor(cell)),
    };
    const emergency = [this.capFor(cell), cap].filter((x): x is number => x !== undefined);
    return emergency.length === 0 ? reading : capReading(reading, effectiveCap(this.settings, Math.min(...emergency)));
  }

  /** Recent points of a cell, oldest first. */
  history(cell: string): readonly HistoryPoint[] {
    return this.#history.get(cell) ?? [];
  }

  #record(cell: string, point: HistoryPoint, changed: boolean): void {
    let points = this.#history.get(cell);
    if (!points) {
      points = [];
      this.#history.set(cell, points);
    }
    const last = points[points.length - 1];
    if (!changed && last && point.at - last.at < HISTORY_SPACING_MS) return;
    points.push({ ...point, demand: Math.round(point.demand * 1000) / 1000 });
    if (points.length > HISTORY_POINTS) points.shift();
  }

  /** Cells that are not at rest (multiplier above 1.0, or supply or demand present). */
  activeCells(now: number): CellReading[] {
    const out: CellReading[] = [];
    const seen = new Set<string>();
    for (const cell of [...this.cells.keys(), ...this.#supply.keys()]) {
      if (seen.has(cell)) continue;
      seen.add(cell);
      const r = this.reading(cell, now);
      if (r.shownTenths !== 10 || r.supply > 0 || r.demand >= NEGLIGIBLE_DEMAND) out.push(r);
    }
    return out;
  }

  /**
   * Forgets drivers not seen within the supply window, and riders counted longer than a
   * half-life ago; walks only what expires (drivers by the stamp of their last report, through
   * a heap, since reports arrive out of order; an entry whose driver has reported since is
   * skipped).
   */
  refreshSupply(now: number): void {
    const cutoff = now - this.settings.supplyWindowSeconds * 1000;
    for (let at = this.#expiry.peekKey(); at !== undefined && at < cutoff; at = this.#expiry.peekKey()) {
      const id = this.#expiry.pop() as string;
      if (this.#drivers.get(id)?.at === at) this.#forget(id);
    }
    this.#rotateRiders(now);
  }

  /** Starts a new generation of riders once the current one is a half-life old or half full. */
  #rotateRiders(now: number): void {
    if (now - this.#ridersSince < this.settings.demandHalfLifeSeconds * 1000 && this.#riders.size < MAX_RIDERS / 2) return;
    this.#ridersBefore = this.#riders;
    this.#riders = new Map();
    this.#ridersSince = now;
  }

  #cell(cell: string): CellState {
    let c = this.cells.get(cell);
    if (!c) {
      c = { demand: 0, demandAt: 0, smoothed: 1, shownTenths: 10, seq: 0, computedAt: 0 };
      this.cells.set(cell, c);
    }
    return c;
  }

  #ringsOf(cell: string): string[][] {
    let r = this.#rings.get(cell);
    if (!r) {
      r = neighbourRings(cell, this.settings.neighbourRings);
      // Only cells that can matter are cached: own cells and their halo.
      if (this.#rings.size < 4 * this.ownCells.size + 64) this.#rings.set(cell, r);
    }
    return r;
  }

  /** Drops cached neighbour rings, e.g. after the market's settings change. */
  reconfigure(ownCells: ReadonlySet<string>, settings: SurgeSettings): void {
    this.ownCells = ownCells;
    this.settings = settings;
    this.#rings.clear();
    for (const cell of this.cells.keys()) if (!ownCells.has(cell)) this.cells.delete(cell);
    for (const cell of this.#history.keys()) if (!ownCells.has(cell)) this.#history.delete(cell);
  }
}

/**
 * A reading under a cap that binds now: lowered (and its story saying the emergency cap bound)
 * when its shown multiplier is above the cap, unchanged otherwise.
 */
export function capReading(reading: CellReading, cap: number): CellReading {
  const shownTenths = underCap(reading.shownTenths, cap);
  if (shownTenths === reading.shownTenths) return reading;
  return {
    ...reading,
    shownTenths,
    explanation: { ...reading.explanation, shown: shownTenths / 10, cap, capApplied: "emergency" },
  };
}

/** The story of a cell with nothing to tell: at rest, 1.0 (or the cap, if one is below). */
export function restingExplanation(supply: number, demand: number, cap: number, emergencyCap?: number): SurgeExplanation {
  const rounded = Math.round(demand * 1000) / 1000;
  return {
    supply,
    demand: rounded,
    pooled: { supply, demand: rounded, cells: 1 },
    ratio: 1,
    curve: 1,
    cap: effectiveCap({ cap }, emergencyCap),
    capApplied: null,
    target: 1,
    previous: 1,
    smoothed: 1,
    stepLimited: false,
    thinData: true,
    shown: 1,
  };
}
