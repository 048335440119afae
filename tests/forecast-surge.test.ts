import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { cellToChildren, cellToParent, gridDisk, latLngToCell } from "h3-js";
import { type SurgeSettings, SurgeSettingsSchema } from "../shared/pricing/market";
import { expectedDemand, type ForecastInput, predictiveUpdate } from "../shared/pricing/policy";
import { effectiveCap } from "../shared/pricing/surge";
import { ZoneState } from "../shared/pricing/zone-state";

/**
 * Predictive surge through the pricing seam: a stadium is about to let out, the forecast says so,
 * and the zone raises the Garden's multiplier before the crowd's requests arrive — by a bounded
 * weight, never above the cap; in shadow it charges what live demand alone says and tells what
 * the forecast would have shown.
 */

const T0 = Date.UTC(2026, 11, 1, 22);
const CELL = latLngToCell(40.7505, -73.9934, 8);
const OWN: ReadonlySet<string> = new Set(cellToChildren(cellToParent(CELL, 6), 8));
const settings = (predictive: Partial<SurgeSettings["predictive"]>, extra: Partial<SurgeSettings> = {}): SurgeSettings => {
  const base = SurgeSettingsSchema.parse({});
  return { ...base, ...extra, predictive: { ...base.predictive, ...predictive } };
};
/** The let-out: 80 requests expected in each of the next four quarter hours. */
const letOut = (demand = 80): ForecastInput => ({
  demand: 2 * demand,
  horizonMinutes: 30,
  modelId: "nyc.v1.regression",
  series: { from: T0, intervalMinutes: 15, demand: [demand, demand, demand, demand] },
});

/** A zone with a little live demand and a few drivers at the Garden, its forecast set, ticked for `seconds`. */
function garden(s: SurgeSettings, forecast?: ForecastInput, requests = 4, drivers = 4, seconds = 20) {
  const state = new ZoneState(OWN, s);
  if (forecast) state.setInputs("forecast", { cells: { [CELL]: { forecast } }, until: T0 + 3_600_000 });
  for (let i = 0; i < requests; i++) state.applyDemand(CELL, 1, T0, T0);
  for (let i = 0; i < drivers; i++) state.applySupply(`d${i}`, CELL, true, T0, T0);
  let now = T0;
  for (let i = 0; i < (seconds * 1000) / s.updateIntervalMs; i++) {
    now += s.updateIntervalMs;
    state.tick(now);
  }
  return state.reading(CELL, now);
}

describe("predictive surge", () => {
  test("off (the default): the forecast changes nothing and is not in the story", () => {
    const plain = garden(settings({}));
    const withForecast = garden(settings({}), letOut());
    expect(withForecast.shownTenths).toBe(plain.shownTenths);
    expect(withForecast.explanation.forecast).toBeUndefined();
  });

  test("on: the let-out raises the multiplier before the crowd arrives, and the story says by how much", () => {
    const reactive = garden(settings({ mode: "on" }));
    const predictive = garden(settings({ mode: "on", weight: 0.5 }), letOut());
    expect(reactive.shownTenths).toBe(10);
    expect(predictive.shownTenths).toBeGreaterThan(reactive.shownTenths);
    const f = predictive.explanation.forecast;
    expect(f?.mode).toBe("on");
    expect(f?.modelId).toBe("nyc.v1.regression");
    expect(f?.expected).toBeCloseTo(160, 0);
    expect(f?.predictiveShown).toBe(predictive.shownTenths / 10);
    expect(f?.reactiveTarget).toBe(1);
    expect(f?.predictiveTarget).toBeGreaterThan(1);
    expect(f?.demandUsed).toBeGreaterThan(predictive.demand);
    // A bigger weight goes further toward the forecast.
    expect(garden(settings({ mode: "on", weight: 1 }), letOut()).shownTenths).toBeGreaterThanOrEqual(predictive.shownTenths);
  });

  test("shadow: charges what live demand says, and tells what the forecast would have shown", () => {
    const shadow = garden(settings({ mode: "shadow", weight: 0.5 }), letOut());
    const on = garden(settings({ mode: "on", weight: 0.5 }), letOut());
    expect(shadow.shownTenths).toBe(10);
    expect(shadow.explanation.forecast?.mode).toBe("shadow");
    expect(shadow.explanation.forecast?.predictiveShown).toBeGreaterThan(1);
    expect(shadow.explanation.forecast?.predictiveShown).toBe(on.shownTenths / 10);
  });

  test("a quiet forecast never lowers what live demand justifies", () => {
    const busy = garden(settings({ mode: "off" }), undefined, 40, 3);
    const quiet = garden(settings({ mode: "on", weight: 1 }), letOut(0), 40, 3);
    expect(busy.shownTenths).toBeGreaterThan(10);
    expect(quiet.shownTenths).toBe(busy.shownTenths);
  });

  test("whatever the forecast and weight, never above the market's cap nor an operator's", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.option(fc.double({ min: 1, max: 10, noNaN: true }), { nil: undefined }),
        (demand, weight, cap, emergency) => {
          const s = settings({ mode: "on", weight }, { cap });
          const state = new ZoneState(OWN, s, emergency);
          state.setInputs("forecast", { cells: { [CELL]: { forecast: letOut(demand) } } });
          state.applyDemand(CELL, 1, T0, T0);
          let now = T0;
          for (let i = 0; i < 30; i++) {
            now += 200;
            state.tick(now);
          }
          expect(state.reading(CELL, now).shownTenths / 10).toBeLessThanOrEqual(effectiveCap(s, emergency));
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a crowd expected over several cells: each neighbour's forecast raises the demand the curve pools, by at most the weight of its own gap", () => {
    // The Garden and its six neighbours, each expecting 20 requests a quarter hour; a driver in each, no rider yet.
    const disk = gridDisk(CELL, 1);
    const neighbours = disk.filter((c) => c !== CELL);
    const s = settings({ mode: "on", weight: 0.5 });
    const venue = (cells: readonly string[]) => {
      const state = new ZoneState(new Set([...OWN, ...disk]), s);
      state.setInputs("forecast", { cells: Object.fromEntries(cells.map((c) => [c, { forecast: letOut(20) }])) });
      disk.forEach((c, i) => {
        state.applySupply(`d${i}`, c, true, T0, T0);
      });
      state.tick(T0 + 200);
      return state.reading(CELL, T0 + 200);
    };
    const alone = venue([CELL]);
    const crowd = venue(disk);
    // Each cell's demand is raised to weight × the level its forecast expects (no live demand yet).
    const level = (40 / 30) * (s.demandHalfLifeSeconds / 60 / Math.LN2);
    expect(crowd.explanation.forecast?.demandUsed).toBeCloseTo(0.5 * level, 3);
    expect(crowd.explanation.pooled.demand).toBeCloseTo(0.5 * level * (1 + s.neighbourWeight * neighbours.length), 2);
    expect(alone.explanation.pooled.demand).toBeCloseTo(0.5 * level, 2);
    // The cell's own story is the same; the price it leads to is higher where the crowd is expected all around.
    expect(crowd.explanation.forecast?.demandUsed).toBe(alone.explanation.forecast?.demandUsed);
    expect(crowd.explanation.forecast?.predictiveTarget).toBeGreaterThan(alone.explanation.forecast?.predictiveTarget ?? 0);
    expect(crowd.explanation.forecast?.reactiveTarget).toBe(1);
    // A neighbour's forecast alone does not price a cell without one of its own.
    expect(venue(neighbours).explanation.forecast).toBeUndefined();
  });

  test("with neighbours' forecasts too: only ever raises, weight 0 changes nothing, and the caps bind", () => {
    const base = SurgeSettingsSchema.parse({});
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            supply: fc.nat(20),
            demand: fc.double({ min: 0, max: 50, noNaN: true }),
            expects: fc.option(fc.double({ min: 0, max: 500, noNaN: true }), { nil: undefined }),
          }),
          { minLength: 7, maxLength: 7 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.option(fc.double({ min: 1, max: 10, noNaN: true }), { nil: undefined }),
        fc.constantFrom<"on" | "shadow">("on", "shadow"),
        (cells, weight, cap, emergency, mode) => {
          const balances = cells.map((c) => ({
            supply: c.supply,
            demand: c.demand,
            ...(c.expects !== undefined && { forecast: letOut(c.expects) }),
          }));
          const [own, ...ring] = balances as [(typeof balances)[number], ...typeof balances];
          const update = (w: number) =>
            predictiveUpdate({
              own,
              rings: [[own], ring],
              previousSmoothed: 1,
              previousShownTenths: 10,
              settings: { ...base, cap, predictive: { mode, horizonMinutes: 30, weight: w } },
              emergencyCap: emergency,
              now: T0,
              inputs: { forecast: letOut(100) },
            });
          const u = update(weight);
          const f = u.explanation.forecast;
          expect(f?.mode).toBe(mode);
          expect(f?.predictiveTarget ?? 0).toBeGreaterThanOrEqual(f?.reactiveTarget ?? Infinity);
          expect(Math.max(u.shownTenths / 10, f?.predictiveShown ?? 0)).toBeLessThanOrEqual(effectiveCap({ cap }, emergency));
          if (mode === "shadow") expect(u.shownTenths / 10).toBe(f?.reactiveShown ?? 0);
          const none = update(0).explanation.forecast;
          expect(none?.predictiveTarget).toBe(none?.reactiveTarget ?? 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("the expected demand is read from now: partial intervals in proportion, nothing past the series' end", () => {
    const f = letOut(60);
    expect(expectedDemand(f, T0, 30)).toBeCloseTo(120, 6);
    expect(expectedDemand(f, T0 + 7.5 * 60_000, 15)).toBeCloseTo(60, 6);
    expect(expectedDemand(f, T0 + 50 * 60_000, 30)).toBeCloseTo(40, 6);
    expect(expectedDemand(f, T0 - 15 * 60_000, 30)).toBeCloseTo(60, 6);
    expect(expectedDemand({ demand: 30, horizonMinutes: 30, modelId: "m" }, T0, 60)).toBe(60);
  });
});
