import { describe, expect, test } from "bun:test";
import { demoMarket } from "../harness/fixtures";
import { rankHotspots } from "../shared/forecast/hotspots";
import { MarketInputSchema } from "../shared/pricing/market";
import { City } from "../simulator/city";
import { type SimulationConfig, simulationDefaults } from "../simulator/simulation";
import {
  BEFORE_LET_OUT_MINUTES,
  type DayArm,
  type DayRun,
  DEFAULT_DAY_OPTIONS,
  quantile,
  runDay,
  runSeed,
  type StadiumWeekOptions,
  stadiumWeek,
} from "../simulator/stadium-week";

/**
 * The stadium week: history with let-outs, a forecast trained on it by the platform's models and
 * gate, and the let-out day priced by the platform's pure core with predictive surge on or off,
 * and with drivers who follow hotspots. At a small size (4 weeks of history, 30 minutes before the
 * let-out and its first 30): the forecast reaches the price before the crowd only when predictive
 * is on, and the effects that held in every seed checked (1–6 at this size) are asserted across
 * three seeds. Predictive's peak at the full size is lower in most seeds, not all (simulator/README.md).
 */

const manhattan = MarketInputSchema.parse(demoMarket("nyc-manhattan"));
const city = new City(manhattan);
const standard = manhattan.products[0] as (typeof manhattan.products)[number];

function input(seed: number): StadiumWeekOptions {
  const config: Omit<SimulationConfig, "scenario" | "minutes"> = {
    ...simulationDefaults(city.cells.length),
    seed,
    fare: standard,
    trip: manhattan.trip,
  };
  return { city, config, settings: manhattan.surge, weeks: 4, spikeFactor: 5, minutes: 60 };
}

const reactive: DayArm = { name: "reactive", predictive: false, followers: 0 };
const predictive: DayArm = { name: "predictive", predictive: true, followers: 0 };
const followers: DayArm = { name: "followers", predictive: false, followers: 0.3 };

const before = (r: DayRun) => r.forecastLift.slice(0, BEFORE_LET_OUT_MINUTES);

describe("the stadium week", () => {
  const week = stadiumWeek(input(1));

  test("the history holds let-outs, each in the calendar, and the forecast is trained through the gate", () => {
    expect(week.history.letOuts).toBeGreaterThan(4);
    expect(week.calendar.every((e) => e.cells?.length === week.venueCells.length)).toBe(true);
    const t = week.training;
    expect(t.models.map((m) => m.kind)).toEqual(["seasonal-naive-1w", "seasonal-naive-4w", "holt-winters", "regression"]);
    const live = t.models.find((m) => m.kind === t.live);
    // Whatever serves is what the gate chose: a promoted model beats seasonal naive at every horizon.
    if (t.promoted) expect(live?.beatsSeasonalNaive).toBe(true);
    else expect(["seasonal-naive-1w", "seasonal-naive-4w"]).toContain(t.live);
    // The forecast knows the let-out from the calendar: the venue's expected demand jumps when it starts.
    const [venue] = week.venueCells;
    const f = week.forecastInputs(30)[venue as string]?.forecast.series;
    expect(f?.from).toBe(week.start);
    const beforeLetOut = f?.demand[1] ?? 0;
    const letOut = f?.demand[2] ?? 0;
    expect(letOut).toBeGreaterThan(2 * beforeLetOut);
  });

  test("the hotspots drivers receive name the venue's cells before the crowd leaves", () => {
    const now = week.letOutAt - 10 * 60_000;
    const top = rankHotspots(week.hotspotForecasts(now, 30), manhattan.surge, now, 30, 3);
    expect(top.length).toBeGreaterThan(0);
    for (const h of top) expect(week.venueCells).toContain(h.cell);
  });

  test("predictive surge reads the forecast: its input is above zero before the let-out, and zero with predictive off", () => {
    const on = runDay(week, input(1), predictive);
    const off = runDay(week, input(1), reactive);
    expect(before(on).every((x) => x > 0)).toBe(true);
    expect(on.forecastLift.every((x) => x >= 0)).toBe(true);
    expect(off.forecastLift.every((x) => x === 0)).toBe(true);
    // The same riders in both arms: the comparison is paired.
    expect(on.rows.map((r) => r.arrivals)).toEqual(off.rows.map((r) => r.arrivals));
    // The forecast changed prices: the two arms did not run the same day.
    expect(JSON.stringify(on.venuePeakByMinute)).not.toBe(JSON.stringify(off.venuePeakByMinute));
  }, 60_000);

  test("drivers who follow hotspots come from the followers' own stream: the riders are the same", () => {
    const a = runDay(week, input(1), followers);
    const b = runDay(week, input(1), reactive);
    expect(a.hotspotRankings).toBe(60 / DEFAULT_DAY_OPTIONS.hotspots.everyMinutes);
    expect(b.hotspotRankings).toBe(0);
    expect(a.rows.map((r) => r.arrivals)).toEqual(b.rows.map((r) => r.arrivals));
  }, 60_000);
});

/** The venue's mean multiplier over the ten minutes before the let-out. */
const leadIn = (r: DayRun) =>
  r.venuePeakByMinute.slice(BEFORE_LET_OUT_MINUTES - 10, BEFORE_LET_OUT_MINUTES).reduce((a, b) => a + b, 0) / 10;

describe("effects that held in every seed checked", () => {
  // Predictive surge at its bounded weight's top (1), as an operator sets it for a let-out.
  const options = { ...DEFAULT_DAY_OPTIONS, predictive: { horizonMinutes: 30, weight: 1 } };
  for (const seed of [1, 2, 3]) {
    test(`seed ${seed}: predictive raises the venue's price before the crowd, its peak no higher and completion no lower; hotspot followers lower the venue's peak and its median pickup ETA`, () => {
      const { runs } = runSeed(input(seed), [reactive, predictive, followers], options);
      const [r, p, f] = runs as [DayRun, DayRun, DayRun];
      expect(leadIn(p)).toBeGreaterThanOrEqual(leadIn(r));
      expect(p.whole.venuePeak).toBeLessThanOrEqual(r.whole.venuePeak);
      expect(p.whole.venuePeak).toBeLessThanOrEqual(manhattan.surge.cap);
      expect(p.whole.completionRate ?? 0).toBeGreaterThanOrEqual(r.whole.completionRate ?? 0);
      expect(f.whole.venuePeak).toBeLessThan(r.whole.venuePeak);
      expect(f.whole.venueEtaP50 ?? 0).toBeLessThan(r.whole.venueEtaP50 ?? 0);
    }, 90_000);
  }
});

test("quantiles by nearest rank", () => {
  expect(quantile([4, 1, 3, 2], 0.5)).toBe(2);
  expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 0.95)).toBe(19);
  expect(quantile([], 0.5)).toBeNull();
});
