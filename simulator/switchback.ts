import { emptyRow, type UnitWindowRow } from "../shared/experiments/analysis";
import { inBurnIn, labelAt, type StoredExperiment, windowAt, zoneInputs } from "../shared/experiments/assignment";
import { computeFare } from "../shared/pricing/fare";
import type { SurgeSettings } from "../shared/pricing/market";
import { estimateTrip } from "../shared/pricing/trip";
import { ZoneState } from "../shared/pricing/zone-state";
import type { City } from "./city";
import { type QuoteAnswer, Simulation, type SimulationConfig } from "./simulation";

/**
 * A switchback run in one process, where the truth is known: the market simulation's riders and
 * drivers (`Simulation`, seeded) priced by the platform's own pure core (`ZoneState` with the
 * experiment's inputs, exactly as zones receive them) instead of the platform over HTTP. No
 * clock, no I/O: a run of hours takes seconds, so an A/A test can be run for hundreds of seeds.
 *
 * Each step (`stepSeconds` of simulated time): riders arrive and are quoted at their cell's
 * multiplier; the simulation decides who requests, who is matched and where drivers go; their
 * apps' events reach the zone state, which ticks once. At each window's start the zone is told
 * the window's arms (`zoneInputs`), or, for a global counterfactual, every cell one variant.
 *
 * What history would record is tallied per unit, window and variant, after the burn-in, as
 * `UnitWindowRow`s: searches and requests (every rider searches; requesting is the simulation's
 * choice at the quoted price), quotes and completed trips, revenue at the price charged and at
 * 1.0, and the multipliers of priced cells (sampled every step).
 */

export interface SwitchbackRun {
  rows: UnitWindowRow[];
  /** Riders who arrived, and who requested, over the counted (post-burn-in) time. */
  searches: number;
  requests: number;
}

export function runSwitchback(input: {
  city: City;
  config: SimulationConfig;
  settings: SurgeSettings;
  experiment: StoredExperiment;
  /** "switchback": the experiment's own assignment; a variant's id: every cell in that variant all along (a global counterfactual). */
  assignment: "switchback" | string;
}): SwitchbackRun {
  const { city, config, experiment: e } = input;
  const start = Date.parse(e.from);
  const state = new ZoneState(new Set(city.cells), input.settings);
  const sim = new Simulation(city, config);
  const source = `experiment:${e.id}`;
  const rows = new Map<string, UnitWindowRow>();
  const riders = new Map<string, { cell: string; total: number; totalAtOne: number; key: string | undefined }>();
  /** Riders who requested, until matched (or, having given up, forgotten after their patience). */
  const requested = new Map<string, { key: string; at: number }>();
  let searches = 0;
  let requests = 0;
  let window = -1;

  const rowOf = (cell: string, at: number): string | undefined => {
    const w = windowAt(e, at);
    if (!w || inBurnIn(e, w, at)) return undefined;
    const label = labelAt(e, { cell }, at);
    if (!label) return undefined;
    const variant = input.assignment === "switchback" ? label.variant : input.assignment;
    const key = `${label.unit}|${label.window}|${variant}`;
    if (!rows.has(key)) rows.set(key, emptyRow(label.unit, label.window, variant));
    return key;
  };

  while (!sim.done) {
    const now = start + sim.now * 1000;
    const w = windowAt(e, now);
    if (w && w.index !== window) {
      window = w.index;
      if (input.assignment === "switchback") state.setInputs(source, zoneInputs(e, city.cells, now));
      else {
        const variant = e.variants.find((v) => v.id === input.assignment);
        state.setInputs(source, { zone: { settings: variant?.surge } });
      }
    }
    // Riders are quoted at their cell's multiplier now.
    const quotes = new Map<string, QuoteAnswer>();
    for (const a of sim.arrivals()) {
      const tenths = state.reading(a.cell, now).shownTenths;
      const trip = estimateTrip(a.pickup, a.dropoff, config.trip);
      const total = computeFare(config.fare, trip, tenths).total;
      quotes.set(a.riderId, { total, multiplier: tenths / 10 });
      const key = rowOf(a.cell, now);
      riders.set(a.riderId, { cell: a.cell, total, totalAtOne: computeFare(config.fare, trip, 10).total, key });
      if (key) {
        const row = rows.get(key) as UnitWindowRow;
        row.searches += 1;
        row.quotes += 1;
        searches += 1;
      }
    }
    const heatmap = [...state.cells.keys()].map((cell) => ({ cell, multiplier: state.reading(cell, now).shownTenths / 10 }));
    const step = sim.advance({ heatmap, quotes });
    const after = start + sim.now * 1000;
    for (const s of step.supply) {
      const cell = city.cellOf(s);
      if (cell) state.applySupply(s.driverId, cell, s.status === "available", after, after);
    }
    for (const d of step.demand) {
      const rider = riders.get(d.riderId);
      if (!rider) continue;
      state.applyDemand(rider.cell, d.kind === "request" ? 1 : input.settings.searchWeight, after, after, d.riderId);
      if (d.kind !== "request" || !rider.key) continue;
      const row = rows.get(rider.key) as UnitWindowRow;
      row.requests += 1;
      row.revenue += rider.total;
      row.revenueAtOne += rider.totalAtOne;
      requests += 1;
      requested.set(d.riderId, { key: rider.key, at: after });
    }
    for (const m of step.matches) {
      const r = requested.get(m.riderId);
      if (!r) continue;
      (rows.get(r.key) as UnitWindowRow).verified += 1;
      requested.delete(m.riderId);
    }
    for (const [id, r] of requested)
      if (after - r.at > (config.patienceSeconds + config.stepSeconds) * 1000) requested.delete(id);
    // Riders are remembered only for the step they were quoted in.
    riders.clear();
    state.tick(after);
    for (const [cell, c] of state.cells) {
      if (c.computedAt !== after) continue;
      const key = rowOf(cell, after);
      if (!key) continue;
      const row = rows.get(key) as UnitWindowRow;
      row.cellMinutes += 1;
      row.multiplierSum += c.shownTenths / 10;
    }
  }
  return { rows: [...rows.values()], searches, requests };
}
