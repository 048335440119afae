import type { SurgeMinute } from "../contracts/history";
import type { SurgeSettings } from "../pricing/market";
import { MinuteLog } from "../pricing/minute-log";
import { liveHorizonMs } from "../pricing/surge";
import { ZoneState } from "../pricing/zone-state";

/**
 * Replay: a period's recorded events run again through candidate surge settings with the pure
 * core (`ZoneState` and the surge curve), and the multipliers it would have shown compared with
 * what was live. Deterministic: time is the events' own, ticks fall every `updateIntervalMs` of
 * it while anything moves, and each cell-minute is logged as a zone logs it (`MinuteLog`).
 *
 * The market's cells are one state here (a zone object holds 7–49 of them and hears its
 * neighbours' borders every tick; replay pools across zone borders directly, without the halo's
 * one-tick lag).
 */

export interface ReplayEvent {
  kind: "supply" | "demand";
  /** The reporting principal: drivers and riders are theirs, as in a zone. */
  source: string;
  actorId: string | null;
  cell: string;
  at: number;
  /** available | busy | offline, or search | request */
  status: string;
}

export interface ReplayRun {
  minutes: SurgeMinute[];
  events: number;
  ticks: number;
  /** Shown multipliers that changed, tick by tick (what a live subscriber would have been sent). */
  changes: number;
}

const MINUTE_MS = 60_000;

/** How long before `from` replay starts, so drivers and decaying demand are as they were at `from`. */
export function warmUpMs(settings: Pick<SurgeSettings, "demandHalfLifeSeconds" | "supplyWindowSeconds">): number {
  return liveHorizonMs(settings);
}

/**
 * Runs events (in time order, from `from − warmUpMs` on) through a fresh state of `cells` with
 * `settings`; the minutes within [from, to) come back, as the zone would have logged them.
 * @example replay(events, { cells, settings: { ...market.surge, sensitivity: 0.4 }, from, to }).minutes
 */
export function replay(
  events: readonly ReplayEvent[],
  options: { cells: ReadonlySet<string>; settings: SurgeSettings; from: number; to: number },
): ReplayRun {
  const { settings, from, to } = options;
  const state = new ZoneState(options.cells, settings);
  const log = new MinuteLog();
  // A minute taken while the zone rests is taken again if it ticks later in that minute: the last row wins, as history's upsert.
  const minutes = new Map<string, SurgeMinute>();
  const keep = (rows: SurgeMinute[]) => {
    for (const r of rows) if (r.minute >= from && r.minute < to) minutes.set(`${r.cell}|${r.minute}`, r);
  };
  const interval = settings.updateIntervalMs;
  let i = 0;
  let ticks = 0;
  let changes = 0;
  let active = false;
  let now = events.length > 0 ? Math.min(events[0]?.at as number, from) : from;
  now = Math.ceil(now / interval) * interval;
  while (now < to) {
    let moved = false;
    for (; i < events.length && (events[i] as ReplayEvent).at <= now; i++) {
      const e = events[i] as ReplayEvent;
      if (!options.cells.has(e.cell)) continue;
      if (e.kind === "supply") {
        if (state.applySupply(`${e.source}\u0000${e.actorId ?? ""}`, e.cell, e.status === "available", e.at, now) === "applied")
          moved = true;
      } else {
        const rider = e.actorId === null ? undefined : `${e.source}\u0000${e.actorId}`;
        const weight = e.status === "request" ? 1 : settings.searchWeight;
        if (state.applyDemand(e.cell, weight, e.at, now, rider) === "applied") moved = true;
      }
    }
    if (moved || active) {
      const tick = state.tick(now);
      ticks += 1;
      changes += tick.changes.length;
      active = tick.active;
      for (const [cell, c] of state.cells) {
        if (c.computedAt !== now) continue;
        const r = state.reading(cell, now);
        log.observe(cell, now, { supply: r.supply, demand: r.demand, multiplier: r.shownTenths / 10 });
      }
      keep(log.take(now, !active));
      now += interval;
    } else {
      // Nothing moves: on to the next event's tick.
      const next = i < events.length ? (events[i] as ReplayEvent).at : to;
      now = Math.max(now + interval, Math.ceil(next / interval) * interval);
    }
  }
  keep(log.take(to, true));
  return { minutes: [...minutes.values()], events: i, ticks, changes };
}

/** What a period's multipliers looked like: the figures replay compares. */
export interface MultiplierProfile {
  /** Active cell-minutes (a cell counts in a minute when it was priced in it). */
  cellMinutes: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** Cell-minutes per shown multiplier (×1.0, ×1.1, …). */
  distribution: Array<{ multiplier: number; cellMinutes: number; share: number }>;
  /** Share of active cell-minutes at the cap. */
  timeAtCap: number;
  /** Changes of a cell's multiplier from one minute to the next, per active cell-hour. */
  changesPerHour: number;
  /** Changes undone within `flapMinutes` (up then down, or down then up), per active cell-hour. */
  flapsPerHour: number;
  flaps: number;
}

/**
 * The profile of per-minute multipliers (recorded or replayed) against a cap. A cell's minutes
 * are taken in order; a gap (a minute with no row: the cell was at rest) counts as ×1.0 between.
 * @example profile(recordedMinutes, 3).timeAtCap // 0.04: 4% of active cell-minutes at ×3.0
 */
export function profile(
  minutes: ReadonlyArray<Pick<SurgeMinute, "cell" | "minute" | "multiplier">>,
  cap: number,
  flapMinutes = 3,
): MultiplierProfile {
  const n = minutes.length;
  const capTenths = Math.floor(cap * 10 + 1e-9);
  const tenths = minutes.map((m) => Math.round(m.multiplier * 10));
  const sorted = [...tenths].sort((a, b) => a - b);
  const at = (q: number) => (n === 0 ? null : (sorted[Math.min(n - 1, Math.floor(q * n))] as number) / 10);
  const counts = new Map<number, number>();
  let sum = 0;
  let atCap = 0;
  for (const t of tenths) {
    counts.set(t, (counts.get(t) ?? 0) + 1);
    sum += t;
    if (t >= capTenths) atCap++;
  }
  // Per cell in time order: changes between consecutive rows, and changes reversed soon after.
  const byCell = new Map<string, Array<{ minute: number; tenths: number }>>();
  minutes.forEach((m, k) => {
    const list = byCell.get(m.cell) ?? [];
    list.push({ minute: m.minute, tenths: tenths[k] as number });
    byCell.set(m.cell, list);
  });
  let changes = 0;
  let flaps = 0;
  for (const rows of byCell.values()) {
    rows.sort((a, b) => a.minute - b.minute);
    let shown: number | undefined;
    let lastMinute = Number.NEGATIVE_INFINITY;
    let lastChange: { minute: number; direction: number } | undefined;
    const move = (minute: number, to: number) => {
      if (shown !== undefined && shown !== to) {
        const direction = Math.sign(to - shown);
        changes++;
        if (lastChange && lastChange.direction === -direction && minute - lastChange.minute <= flapMinutes * MINUTE_MS) flaps++;
        lastChange = { minute, direction };
      }
      shown = to;
    };
    for (const row of rows) {
      // A gap means the cell rested at ×1.0 in between.
      if (row.minute - lastMinute > MINUTE_MS && shown !== undefined) move(lastMinute + MINUTE_MS, 10);
      move(row.minute, row.tenths);
      lastMinute = row.minute;
    }
  }
  const hours = n / 60;
  return {
    cellMinutes: n,
    mean: n === 0 ? null : sum / n / 10,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: n === 0 ? null : (sorted[n - 1] as number) / 10,
    distribution: [...counts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, c]) => ({ multiplier: t / 10, cellMinutes: c, share: c / n })),
    timeAtCap: n === 0 ? 0 : atCap / n,
    changesPerHour: hours > 0 ? changes / hours : 0,
    flapsPerHour: hours > 0 ? flaps / hours : 0,
    flaps,
  };
}
