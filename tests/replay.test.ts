import { describe, expect, test } from "bun:test";
import { gridDisk, latLngToCell } from "h3-js";
import { syntheticPeriod } from "../bench/replay";
import { profile, replay } from "../shared/experiments/replay";

/**
 * Replay: a period's recorded events run again through candidate settings with the pure core,
 * and what the multipliers would have been compared with what was live.
 */

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1, 18);

describe("the profile of a period's multipliers", () => {
  test("distribution, time at the cap, changes and flaps, counted by hand", () => {
    const cell = "882a100d25fffff";
    const other = "882a100d27fffff";
    // cell: 1.0, 1.2, 1.4, 1.2 (a flap: up then down within 3 minutes), gap (rests at 1.0: a change), 3.0 (cap)
    // other: 3.0, 3.0
    const minutes = [
      { cell, minute: T0, multiplier: 1 },
      { cell, minute: T0 + MINUTE, multiplier: 1.2 },
      { cell, minute: T0 + 2 * MINUTE, multiplier: 1.4 },
      { cell, minute: T0 + 3 * MINUTE, multiplier: 1.2 },
      { cell, minute: T0 + 6 * MINUTE, multiplier: 3 },
      { cell: other, minute: T0, multiplier: 3 },
      { cell: other, minute: T0 + MINUTE, multiplier: 3 },
    ];
    const p = profile(minutes, 3);
    expect(p.cellMinutes).toBe(7);
    expect(p.mean).toBeCloseTo((1 + 1.2 + 1.4 + 1.2 + 3 + 3 + 3) / 7, 12);
    expect(p.max).toBe(3);
    expect(p.p50).toBe(1.4);
    expect(p.timeAtCap).toBeCloseTo(3 / 7, 12);
    expect(p.distribution).toEqual([
      { multiplier: 1, cellMinutes: 1, share: 1 / 7 },
      { multiplier: 1.2, cellMinutes: 2, share: 2 / 7 },
      { multiplier: 1.4, cellMinutes: 1, share: 1 / 7 },
      { multiplier: 3, cellMinutes: 3, share: 3 / 7 },
    ]);
    // Changes of `cell`: 1.0→1.2, 1.2→1.4, 1.4→1.2 (flap), 1.2→1.0 at the gap (flap? it continues down: no), 1.0→3.0 (up after
    // down within 3 minutes: a flap). Five changes, two flaps, over 7 cell-minutes.
    expect(p.flaps).toBe(2);
    expect(p.changesPerHour).toBeCloseTo(5 / (7 / 60), 9);
  });
});

describe("replaying a recorded period", () => {
  const period = syntheticPeriod({ minutes: 21, seed: 4, drivers: 400 });
  const venue = new Set(gridDisk(latLngToCell(40.7505, -73.9934, 8), 1));
  const at = (settings: typeof period.settings) =>
    replay(period.events, { cells: period.cells, settings, from: period.from, to: period.to });
  let ownRun: ReturnType<typeof at> | undefined;
  const own = () => {
    ownRun ??= at(period.settings);
    return ownRun;
  };

  test("the market's own settings surge at the venue while the crowd is there, and rest elsewhere", () => {
    const run = own();
    // The crowd is there for the middle third (minutes 7 to 14).
    const inCrowd = run.minutes.filter(
      (m) => venue.has(m.cell) && m.minute >= period.from + 9 * MINUTE && m.minute < period.from + 14 * MINUTE,
    );
    const elsewhere = run.minutes.filter((m) => !venue.has(m.cell));
    expect(Math.max(...inCrowd.map((m) => m.multiplier))).toBeGreaterThan(1.3);
    expect(profile(elsewhere, period.settings.cap).mean as number).toBeLessThan(1.05);
    expect(run.minutes.every((m) => m.minute >= period.from && m.minute < period.to)).toBe(true);
    // Every event up to the last tick before `to` is replayed.
    expect(run.events).toBe(period.events.filter((e) => e.at <= period.to - period.settings.updateIntervalMs).length);
  });

  test("a steeper candidate surges higher and reaches the cap more; a disabled curve shows ×1.0 everywhere", () => {
    const live = profile(own().minutes, period.settings.cap);
    const steep = { ...period.settings, sensitivity: 3, cap: 2 };
    const steeper = profile(at(steep).minutes, steep.cap);
    expect(steeper.p99 as number).toBeGreaterThan(live.p99 as number);
    expect(steeper.timeAtCap).toBeGreaterThan(live.timeAtCap);
    const off = profile(at({ ...period.settings, enabled: false }).minutes, period.settings.cap);
    expect(off.max).toBe(1);
    expect(off.changesPerHour).toBe(0);
  });

  test("is deterministic: the same events and settings give the same minutes", () => {
    expect(at(period.settings).minutes).toEqual(own().minutes);
  });

  test("a curve without its prior, deadband and display hysteresis changes more often and flaps more", () => {
    const twitchy = { ...period.settings, priorWeight: 0, deadband: 0, displayHysteresis: 0 };
    const market = profile(own().minutes, period.settings.cap);
    const candidate = profile(at(twitchy).minutes, twitchy.cap);
    expect(candidate.changesPerHour).toBeGreaterThan(market.changesPerHour);
    expect(candidate.flapsPerHour).toBeGreaterThan(market.flapsPerHour);
  });
});
