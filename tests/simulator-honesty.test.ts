import { describe, expect, test } from "bun:test";
import { demoMarket } from "../harness/fixtures";
import { MarketInputSchema } from "../shared/pricing/market";
import { City } from "../simulator/city";
import { figures, summarize } from "../simulator/report";
import { type Scenario, scenario } from "../simulator/scenario";
import { type MinuteRow, Simulation, type SimulationConfig, simulationDefaults } from "../simulator/simulation";

/**
 * The simulator tells what surge costs as well as what it buys. Its figures count the
 * riders priced out and everyone served, not only completion and ETA; drivers answer the price
 * through a documented supply elasticity (at zero they ignore it); after a run the fleet stays
 * available while demand fades and only then signs off; and "back to ×1.0" says both when the
 * multiplier first came back and whether it rose again.
 */

const manhattan = MarketInputSchema.parse(demoMarket("nyc-manhattan"));
const city = new City(manhattan);
const standard = manhattan.products[0] as SimulationConfig["fare"];
const steady: Scenario = { ...scenario("weekday"), conditions: () => ({ demand: 1, venueDemand: 1, online: 1 }) };

function config(patch: Partial<SimulationConfig> = {}): SimulationConfig {
  return {
    ...simulationDefaults(city.cells.length),
    seed: 3,
    scenario: steady,
    minutes: 40,
    fare: standard,
    trip: manhattan.trip,
    fleet: 200,
    ridersPerMinute: 20,
    ...patch,
  };
}

/** Runs a simulation with every cell shown at one multiplier; the online fleet each minute. */
function onlineUnder(multiplier: number, supplyElasticity: number): number[] {
  const sim = new Simulation(city, config({ supplyElasticity }));
  const heatmap = city.cells.map((cell) => ({ cell, multiplier }));
  const online: number[] = [];
  while (!sim.done) {
    sim.arrivals();
    const { minute } = sim.advance({ heatmap });
    if (minute) online.push(minute.online);
  }
  return online;
}

describe("supply answers the price", () => {
  test("at elasticity 0 the fleet ignores surge; at 0.3 a city at ×2 brings about 2^0.3 = 1.23 times the drivers online", () => {
    const calm = onlineUnder(1, 0.3);
    const ignoring = onlineUnder(2, 0);
    const answering = onlineUnder(2, 0.3);
    expect(calm[calm.length - 1]).toBeCloseTo(200, -1);
    expect(ignoring[ignoring.length - 1]).toBeCloseTo(200, -1);
    // Drivers take minutes to answer: more online later than at first, and near the pull by the end.
    const last = answering[answering.length - 1] ?? 0;
    expect(last).toBeGreaterThan(answering[1] ?? 0);
    expect(last / 200).toBeGreaterThan(1.18);
    expect(last / 200).toBeLessThan(1.25);
  });

  test("the same riders arrive whatever the supply elasticity: the comparison stays paired", () => {
    const riders = (supplyElasticity: number) => {
      const sim = new Simulation(city, config({ supplyElasticity, minutes: 5 }));
      const ids: string[] = [];
      while (!sim.done) {
        ids.push(...sim.arrivals().map((a) => `${a.riderId}@${a.cell}`));
        sim.advance({ heatmap: city.cells.map((cell) => ({ cell, multiplier: 1.5 })) });
      }
      return ids;
    };
    expect(riders(0)).toEqual(riders(0.6));
  });
});

describe("the end of a run", () => {
  test("settling ends every trip and reports the online fleet available; signing off then takes them all offline", () => {
    const sim = new Simulation(city, config({ minutes: 3 }));
    while (!sim.done) {
      sim.arrivals();
      sim.advance({ heatmap: [] });
    }
    const online = sim.fleetState().idle + sim.fleetState().busy;
    expect(sim.fleetState().busy).toBeGreaterThan(0);
    const settled = sim.settle();
    expect(settled).toHaveLength(online);
    expect(settled.every((r) => r.status === "available")).toBe(true);
    expect(sim.fleetState()).toMatchObject({ busy: 0, idle: online });
    const gone = sim.finish();
    expect(gone.every((r) => r.status === "offline")).toBe(true);
    expect(sim.fleetState()).toMatchObject({ busy: 0, idle: 0 });
  });
});

describe("what the figures say", () => {
  const row = (minute: number, phase: string, venueMultiplier: number, patch: Partial<MinuteRow> = {}): MinuteRow =>
    ({
      minute,
      phase,
      arrivals: 10,
      requests: 6,
      served: 5,
      unserved: 1,
      completionRate: 5 / 6,
      meanPickupKm: 1,
      meanEtaMin: 2,
      meanWaitMin: 2.5,
      meanMultiplier: venueMultiplier,
      maxMultiplier: venueMultiplier,
      venueMultiplier,
      venueRequests: 0,
      venueServed: 0,
      venueUnserved: 0,
      venueCompletionRate: null,
      venueEtaMin: null,
      supply: 10,
      busy: 5,
      online: 15,
      platformSupply: 10,
      platformDemand: 10,
      ...patch,
    }) as MinuteRow;

  test("riders priced out and riders served beside completion: 10 opened, 4 priced out, 5 served", () => {
    const f = figures([row(0, "spike", 2)]);
    expect(f).toMatchObject({
      arrivals: 10,
      requests: 6,
      pricedOut: 4,
      served: 5,
      unserved: 1,
      servedRate: 0.5,
      completionRate: 0.833,
    });
  });

  test("'back to ×1.0' tells the first minute at rest and the minute it stays there", () => {
    const stadium = scenario("stadium");
    // 20 minutes: the spike is minutes 3–11 (phases are fractions); back at 1.0 at 13, up again at 15, at rest from 17.
    const rows = Array.from({ length: 20 }, (_, m) =>
      row(m, m < 3 ? "before" : m < 11 ? "spike" : "after", m >= 3 && m < 13 ? 2 : m === 15 || m === 16 ? 1.2 : 1),
    );
    const s = summarize(rows, { scenario: stadium, pricing: "dynamic", seed: 1 });
    expect([s.eventEndedAtMinute, s.firstRestedAtMinute, s.restedAtMinute]).toEqual([11, 13, 17]);
  });
});
