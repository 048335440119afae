import { cellToParent, getResolution } from "h3-js";
import type { CalendarFeatures } from "./calendar";

/**
 * A market's demand history as the models read it: one series per cell, one value per interval
 * (weighted demand: requests plus searches at the market's search weight), dense from `start`.
 * Float32 keeps 2,000 cells × 8 weeks of 15-minute intervals at 43 MB.
 */
export interface Panel {
  start: number;
  intervalMinutes: number;
  steps: number;
  cells: readonly string[];
  demand: readonly Float32Array[];
}

/** Intervals per day and per week. */
export function periods(intervalMinutes: number): { day: number; week: number } {
  const day = Math.round((24 * 60) / intervalMinutes);
  return { day, week: 7 * day };
}

/**
 * What a model forecasts: one cell, or sparse cells pooled together under a coarser H3 parent.
 * A pooled unit's forecast is shared among its cells by each one's part of its history.
 */
export interface Unit {
  key: string;
  cells: readonly number[];
  shares: readonly number[];
  series: Float32Array;
  /** Mean demand per interval over the training stretch: what normalises a unit for shared models. */
  scale: number;
}

/** What the calendar says, per unit: the holiday flag and the happenings that touch its cells. */
export interface UnitCalendar {
  holiday: Uint8Array;
  arrival: Float32Array | undefined;
  letOut: Float32Array | undefined;
}

/**
 * Every cell on its own: what seasonal naive forecasts (the baseline is a cell's own history).
 */
export function cellUnits(panel: Panel, trainEnd: number): Unit[] {
  return panel.demand.map((series, i) => ({
    key: panel.cells[i] as string,
    cells: [i],
    shares: [1],
    series,
    scale: mean(series, 0, trainEnd),
  }));
}

/**
 * Sparse cells pooled to their parent cell: a cell whose mean demand over the training stretch
 * is below `minMean` per interval joins the other sparse cells under its parent one resolution
 * up; a pool still below `minMean` goes one more level up, at most `maxLevels` levels; what is
 * left at the top is a unit however thin. Busy cells stay their own unit.
 * @example poolSparse(panel, trainEnd, 1) // busy cells alone, quiet ones in their parents' pools
 */
export function poolSparse(panel: Panel, trainEnd: number, minMean: number, maxLevels = 3): Unit[] {
  const totals = panel.demand.map((s) => sum(s, 0, trainEnd));
  const units: Unit[] = [];
  let pending = panel.cells.map((_, i) => i);
  const groupMean = (members: number[]) => members.reduce((a, i) => a + (totals[i] as number), 0) / Math.max(1, trainEnd);
  pending = pending.filter((i) => {
    if ((totals[i] as number) / Math.max(1, trainEnd) < minMean) return true;
    units.push(unitOf(panel, [i], panel.cells[i] as string, totals, trainEnd));
    return false;
  });
  for (let level = 1; level <= maxLevels && pending.length > 0; level++) {
    const groups = new Map<string, number[]>();
    for (const i of pending) {
      const cell = panel.cells[i] as string;
      const parent = cellToParent(cell, Math.max(0, getResolution(cell) - level));
      const g = groups.get(parent);
      if (g) g.push(i);
      else groups.set(parent, [i]);
    }
    pending = [];
    for (const [parent, members] of groups) {
      if (level < maxLevels && groupMean(members) < minMean) pending.push(...members);
      else units.push(unitOf(panel, members, parent, totals, trainEnd));
    }
  }
  return units;
}

function unitOf(panel: Panel, members: number[], key: string, totals: number[], trainEnd: number): Unit {
  if (members.length === 1) {
    const i = members[0] as number;
    const series = panel.demand[i] as Float32Array;
    return { key, cells: members, shares: [1], series, scale: mean(series, 0, trainEnd) };
  }
  const series = new Float32Array(panel.steps);
  for (const i of members) {
    const s = panel.demand[i] as Float32Array;
    for (let t = 0; t < panel.steps; t++) series[t] = (series[t] as number) + (s[t] as number);
  }
  const total = members.reduce((a, i) => a + (totals[i] as number), 0);
  const shares = members.map((i) => (total > 0 ? (totals[i] as number) / total : 1 / members.length));
  return { key, cells: members, shares, series, scale: mean(series, 0, trainEnd) };
}

/** A unit's calendar: the holiday flag, and its cells' happenings summed. */
export function unitCalendar(panel: Panel, unit: Unit, features: CalendarFeatures): UnitCalendar {
  let arrival: Float32Array | undefined;
  let letOut: Float32Array | undefined;
  for (const i of unit.cells) {
    const f = features.cells.get(panel.cells[i] as string);
    if (!f) continue;
    arrival ??= new Float32Array(f.arrival.length);
    letOut ??= new Float32Array(f.letOut.length);
    for (let t = 0; t < f.arrival.length; t++) {
      arrival[t] = (arrival[t] as number) + (f.arrival[t] as number);
      letOut[t] = (letOut[t] as number) + (f.letOut[t] as number);
    }
  }
  return { holiday: features.holiday, arrival, letOut };
}

export function sum(s: ArrayLike<number>, from: number, to: number): number {
  let total = 0;
  for (let t = Math.max(0, from); t < Math.min(to, s.length); t++) total += s[t] as number;
  return total;
}

export function mean(s: ArrayLike<number>, from: number, to: number): number {
  const n = Math.min(to, s.length) - Math.max(0, from);
  return n > 0 ? sum(s, from, to) / n : 0;
}

/**
 * A panel from interval rows (any interval of a minute or more): each row's weighted demand
 * added to its cell's bucket; rows outside [start, end) or of other cells are left out.
 * @example panelFromRows(rows, cells, start, end, 15, 0.3)
 */
export function panelFromRows(
  rows: Iterable<{ cell: string; at: number; requests: number; searches: number }>,
  cells: readonly string[],
  start: number,
  end: number,
  intervalMinutes: number,
  searchWeight: number,
): Panel {
  const interval = intervalMinutes * 60_000;
  const steps = Math.floor((end - start) / interval);
  const index = new Map(cells.map((c, i) => [c, i]));
  const demand = cells.map(() => new Float32Array(steps));
  for (const r of rows) {
    const i = index.get(r.cell);
    const t = Math.floor((r.at - start) / interval);
    if (i === undefined || t < 0 || t >= steps) continue;
    const s = demand[i] as Float32Array;
    s[t] = (s[t] as number) + r.requests + searchWeight * r.searches;
  }
  return { start, intervalMinutes, steps, cells, demand };
}
