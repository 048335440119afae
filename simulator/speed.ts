/**
 * Running faster than real time. The platform keeps wall-clock time: demand fades with
 * `demandHalfLifeSeconds`, silent drivers are forgotten after `supplyWindowSeconds`, zones
 * recompute every `updateIntervalMs`. A run at K simulated seconds per wall second therefore
 * needs those divided by K, within the limits the market schema allows; where a limit binds,
 * the platform's clock runs slower than the simulation's for that constant, and the run says so.
 */

export interface SurgeTimes {
  demandHalfLifeSeconds: number;
  supplyWindowSeconds: number;
  updateIntervalMs: number;
}

/** The schema's lower limits (`SurgeSettingsSchema` in shared/market.ts). */
export const SURGE_TIME_MINIMUMS: SurgeTimes = { demandHalfLifeSeconds: 10, supplyWindowSeconds: 10, updateIntervalMs: 100 };

export interface TimeChange {
  field: keyof SurgeTimes;
  from: number;
  wanted: number;
  to: number;
  clamped: boolean;
}

/**
 * The market's time constants for a run at `speed`, and what changed.
 * @example scaleSurgeTimes({demandHalfLifeSeconds: 180, supplyWindowSeconds: 60, updateIntervalMs: 200}, 6).times
 * // { demandHalfLifeSeconds: 30, supplyWindowSeconds: 10, updateIntervalMs: 100 }  (the interval clamped: 33 wanted)
 */
export function scaleSurgeTimes(times: SurgeTimes, speed: number): { times: SurgeTimes; changes: TimeChange[] } {
  if (!(speed >= 1)) throw new RangeError(`speed must be at least 1, got ${speed}`);
  const changes: TimeChange[] = [];
  const out = { ...times };
  if (speed === 1) return { times: out, changes };
  for (const field of Object.keys(SURGE_TIME_MINIMUMS) as Array<keyof SurgeTimes>) {
    const from = times[field];
    const wanted = from / speed;
    const to = Math.max(SURGE_TIME_MINIMUMS[field], Math.round(wanted));
    out[field] = to;
    changes.push({ field, from, wanted, to, clamped: to > Math.round(wanted) });
  }
  return { times: out, changes };
}

/** One line per change, for the console: what was scaled, and by how much a clamped one lags. */
export function describeChanges(changes: readonly TimeChange[]): string[] {
  return changes.map((c) => {
    const wanted = Number.isInteger(c.wanted) ? String(c.wanted) : c.wanted.toFixed(1);
    if (!c.clamped) return `${c.field} ${c.from} → ${c.to}`;
    return `${c.field} ${c.from} → ${c.to}, the schema's minimum (${wanted} would keep pace): ${(c.to / c.wanted).toFixed(1)}× its real length in simulated time`;
  });
}
