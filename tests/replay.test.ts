import { afterAll, describe, expect, test } from "bun:test";
import { gridDisk, latLngToCell } from "h3-js";
import { syntheticPeriod } from "../bench/replay";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, supplyEvents } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";
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

describe("POST /v1/markets/{marketId}/replay on the running platform", () => {
  let p: Platform | undefined;
  afterAll(async () => {
    await p?.dispose();
  });

  test("an operator replays a recorded crowd: the market's settings replayed match what was live; a flat candidate never surges", async () => {
    p = await startPlatform();
    const platform = p;
    await putMarket(platform, "nyc", demoMarket("nyc-manhattan"));
    const operator = platform.as("operator", { markets: ["nyc"] });
    const from = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE).toISOString();
    const times = cellAt(40.758, -73.9855);
    await platform.as("service").json("/v1/events/supply", { events: supplyEvents(times, 2) });
    await platform.as("service").json("/v1/events/demand", { events: demandEvents(times, 30) });
    // The crowd's minutes and events reach history (a minute is written once it ends).
    const rows = (sql: string) => psql(platform.database.target, platform.database.name, sql);
    await eventually(
      async () =>
        Number(rows(`select count(*) from surge_minutes where cell = '${times.cell}' and multiplier > 1`)) >= 1
          ? true
          : undefined,
      100_000,
      1000,
    );
    const to = new Date(Math.floor(Date.now() / MINUTE) * MINUTE).toISOString();
    type Answer = {
      events: number;
      candidate: { profile: { max: number | null; cellMinutes: number; changesPerHour: number } };
      live: { recorded: { max: number | null; cellMinutes: number }; replayed: { max: number | null; cellMinutes: number } };
      assumptions: string[];
    };
    const res = await operator.json<Answer>("/v1/markets/nyc/replay", { from, to, candidate: { enabled: false } });
    expect(res.status).toBe(200);
    expect(res.body.events).toBe(32);
    expect(res.body.live.recorded.max).toBeGreaterThan(1);
    // Replay of the market's own settings sees the same crowd surge as the zone did.
    expect(res.body.live.replayed.max).toBeGreaterThan(1);
    expect(Math.abs((res.body.live.replayed.max as number) - (res.body.live.recorded.max as number))).toBeLessThanOrEqual(0.3);
    expect(res.body.candidate.profile.max).toBe(1);
    expect(res.body.candidate.profile.changesPerHour).toBe(0);
    expect(res.body.assumptions.length).toBeGreaterThan(0);

    // Refusals: another market's operator, an unknown market, too long a period, an unknown setting.
    expect(
      (await platform.as("operator", { markets: ["hcm"] }).json("/v1/markets/nyc/replay", { from, to, candidate: {} })).status,
    ).toBe(403);
    expect((await platform.as("operator").json("/v1/markets/atlantis/replay", { from, to, candidate: {} })).status).toBe(404);
    const long = await operator.json("/v1/markets/nyc/replay", {
      from: "2026-01-01T00:00:00Z",
      to: "2026-01-03T00:00:00Z",
      candidate: {},
    });
    expect(long.status).toBe(422);
    expect((await operator.json("/v1/markets/nyc/replay", { from, to, candidate: { surgeFactor: 2 } })).status).toBe(422);
  }, 150_000);
});
