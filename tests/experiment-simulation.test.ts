import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { analyse, metricValue } from "../shared/experiments/analysis";
import { SurgeSettingsSchema } from "../shared/pricing/market";
import { City } from "../simulator/city";
import { scenario } from "../simulator/scenario";
import { simulationDefaults } from "../simulator/simulation";
import { runSwitchback } from "../simulator/switchback";
import { storedExperiment } from "./support/experiment";

/**
 * The switchback in the simulator, where the truth is known (the many-seed proof is
 * `scripts/experiment-proof.ts`; figures in the README): riders and drivers of Manhattan priced
 * by the pure core, one variant's curve truly steeper. The analysis finds what the market as a
 * whole would show under each variant — fewer riders requesting, higher multipliers — with the
 * right sign.
 */

const market = JSON.parse(readFileSync(resolve(import.meta.dir, "../db/seed/markets/nyc-manhattan.json"), "utf8"));
const city = new City({ geofence: market.geofence, resolution: 8 });
const settings = SurgeSettingsSchema.parse({ ...market.surge, updateIntervalMs: 5000 });
const minutes = 120;
const e = storedExperiment(
  {
    windowMinutes: 20,
    burnInMinutes: 5,
    unitResolution: 7,
    to: new Date(Date.parse("2026-12-01T18:00:00Z") + minutes * 60_000).toISOString(),
    variants: [
      { id: "a", weight: 1 },
      { id: "b", weight: 1, surge: { sensitivity: 1.5 } },
    ],
  },
  { id: "proof", salt: "salt-7" },
);
const config = {
  ...simulationDefaults(city.cells.length),
  seed: 7,
  scenario: scenario("weekday"),
  minutes,
  fare: market.products[0],
  trip: market.trip,
  fleet: 6 * city.cells.length,
};

describe("a switchback in the simulator", () => {
  test("a steeper curve: the switchback's effects have the sign of the whole market's under each variant", () => {
    const switchback = runSwitchback({ city, config, settings, experiment: e, assignment: "switchback" });
    const allA = runSwitchback({ city, config, settings, experiment: e, assignment: "a" }).rows;
    const allB = runSwitchback({ city, config, settings, experiment: e, assignment: "b" }).rows;
    // Both arms drawn, every unit-window after its burn-in only.
    expect(new Set(switchback.rows.map((r) => r.variant))).toEqual(new Set(["a", "b"]));
    expect(switchback.searches).toBeGreaterThan(1000);
    for (const metric of ["conversion", "multiplier"] as const) {
      const truth = metricValue(allB, metric) - metricValue(allA, metric);
      const effect = analyse({ ...e, primaryMetric: metric }, switchback.rows).effects[0];
      expect(Math.sign(effect?.estimate as number)).toBe(Math.sign(truth));
      expect(metric === "conversion" ? truth < 0 : truth > 0).toBe(true);
    }
  }, 60_000);
});
