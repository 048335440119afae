import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { ROOT } from "../harness/workers";
import { type Market, MarketInputSchema } from "../shared/pricing/market";
import { chartSvg } from "../simulator/chart";
import { City } from "../simulator/city";
import { Random } from "../simulator/random";
import { figures, summarize, toCsv } from "../simulator/report";
import { type Scenario, scenario } from "../simulator/scenario";
import {
  type Match,
  type MinuteRow,
  type PlatformView,
  Simulation,
  type SimulationConfig,
  type StepResult,
  simulationDefaults,
} from "../simulator/simulation";
import { scaleSurgeTimes } from "../simulator/speed";
import { requestProbability } from "../simulator/willingness";

/**
 * The market simulator. First the model on its own — seeded and deterministic, riders arriving
 * as a Poisson process, requesting less as prices rise, drivers never on two trips at once and
 * every trip ending — then the story it exists to tell, against the real platform: a stadium
 * lets out, and with surge more of the riders who request are served, sooner, and the venue's
 * multiplier is back to 1.0 once the crowd has gone; with surge off, they are not.
 */

const manhattan = MarketInputSchema.parse(demoMarket("nyc-manhattan"));
const city = new City(manhattan);
const standard = manhattan.products.find((product) => product.id === "standard") ?? fail("the demo market sells standard rides");

function fail(message: string): never {
  throw new Error(message);
}

function config(patch: Partial<SimulationConfig> = {}): SimulationConfig {
  return {
    ...simulationDefaults(city.cells.length),
    seed: 7,
    scenario: scenario("weekday"),
    minutes: 10,
    fare: standard,
    trip: manhattan.trip,
    fleet: 120,
    ridersPerMinute: 20,
    ...patch,
  };
}

/** A scenario with steady conditions, for measuring the arrival process itself. */
function steady(demand = 1): Scenario {
  return { ...scenario("weekday"), conditions: () => ({ demand, venueDemand: 1, online: 1 }) };
}

/** Every multiplier of the market at one value, as the heatmap would show it. */
const everywhere = (multiplier: number): PlatformView => ({ heatmap: city.cells.map((cell) => ({ cell, multiplier })) });
const restful: PlatformView = { heatmap: [] };

interface Step extends StepResult {
  at: number;
  arrivals: ReturnType<Simulation["arrivals"]>;
}

/** Runs a simulation to its end against a fixed view of the platform. */
function run(c: SimulationConfig, view: PlatformView | ((sim: Simulation) => PlatformView) = restful): Step[] {
  const sim = new Simulation(city, c);
  const steps: Step[] = [];
  while (!sim.done) {
    const arrivals = sim.arrivals();
    const out = sim.advance(typeof view === "function" ? view(sim) : view);
    steps.push({ ...out, at: sim.now, arrivals });
  }
  return steps;
}

const count = (steps: Step[], kind: "search" | "request") =>
  steps.reduce((n, s) => n + s.demand.filter((d) => d.kind === kind).length, 0);

describe("the simulation model", () => {
  test("is deterministic for a seed: the same seed gives identical output, another seed a different one", () => {
    const a = run(config({ seed: 11 }));
    const b = run(config({ seed: 11 }));
    const c = run(config({ seed: 12 }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(a.reduce((n, s) => n + s.matches.length, 0)).toBeGreaterThan(0);
  });

  test("the same riders arrive whatever the prices, so dynamic and static runs of a seed are a paired comparison", () => {
    const cheap = run(config({ seed: 5 }), everywhere(1));
    const dear = run(config({ seed: 5 }), everywhere(2.5));
    expect(JSON.stringify(dear.map((s) => s.arrivals))).toBe(JSON.stringify(cheap.map((s) => s.arrivals)));
    expect(count(dear, "request")).toBeLessThan(count(cheap, "request"));
  });

  test("riders arrive as a Poisson process: per-step counts have the rate as their mean and as their variance", () => {
    const ridersPerMinute = 30;
    const steps = run(config({ scenario: steady(), minutes: 150, ridersPerMinute, fleet: 20 }));
    const counts = steps.map((s) => s.arrivals.length);
    const expected = (ridersPerMinute * 5) / 60; // 2.5 per 5-second step
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (counts.length - 1);
    const standardError = Math.sqrt(expected / counts.length);
    expect(Math.abs(mean - expected)).toBeLessThan(4 * standardError);
    expect(variance / mean).toBeGreaterThan(0.85);
    expect(variance / mean).toBeLessThan(1.15);
  });

  test("the Poisson draw is right for large means too (the rejection branch)", () => {
    const random = new Random(3, "test");
    for (const mean of [0.3, 12, 45, 400]) {
      const n = 20_000;
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const k = random.poisson(mean);
        expect(Number.isInteger(k) && k >= 0).toBe(true);
        sum += k;
        squares += k * k;
      }
      const m = sum / n;
      const variance = squares / n - m * m;
      expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(mean / n));
      expect(Math.abs(variance / mean - 1)).toBeLessThan(0.06);
    }
  });

  test("arrivals follow the scenario over time: a stadium's cells see several times their usual riders while it lets out", () => {
    const stadium = scenario("stadium", { spikeFactor: 6 });
    const sim = new Simulation(city, config({ scenario: stadium, minutes: 140, fleet: 20, ridersPerMinute: 54 }));
    const venue = sim.venueCells;
    const perPhase = new Map<string, { venue: number; other: number; steps: number }>();
    while (!sim.done) {
      const phase = stadium.phases.find((p) => sim.now / (140 * 60) >= p.from && sim.now / (140 * 60) < p.to)?.name ?? "";
      const tally = perPhase.get(phase) ?? { venue: 0, other: 0, steps: 0 };
      for (const a of sim.arrivals()) tally[venue.has(a.cell) ? "venue" : "other"] += 1;
      tally.steps += 1;
      perPhase.set(phase, tally);
      sim.advance(restful);
    }
    const rate = (phase: string, where: "venue" | "other") => {
      const t = perPhase.get(phase);
      return t ? t[where] / t.steps : Number.NaN;
    };
    const ratio = rate("spike", "venue") / rate("before", "venue");
    expect(ratio).toBeGreaterThan(4.5);
    expect(ratio).toBeLessThan(7.5);
    expect(rate("after", "venue") / rate("before", "venue")).toBeLessThan(1.5);
    // The rest of the city carries on as usual.
    expect(Math.abs(rate("spike", "other") / rate("before", "other") - 1)).toBeLessThan(0.2);
  });

  test("elasticity: a higher price never brings more requests, and riders request less as the multiplier rises", () => {
    const w = { median: 1.6, elasticity: 1.4 };
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 10, noNaN: true }), fc.double({ min: 0.2, max: 10, noNaN: true }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(requestProbability(high, w)).toBeLessThanOrEqual(requestProbability(low, w) + 1e-12);
      }),
    );
    expect(requestProbability(1.6, w)).toBeCloseTo(0.5, 6);

    const requests = [1, 1.5, 2, 3].map((m) => count(run(config({ seed: 9, fleet: 400 }), everywhere(m)), "request"));
    for (let i = 1; i < requests.length; i++) expect(requests[i] ?? 0).toBeLessThan(requests[i - 1] ?? 0);
    // Every rider searches whatever the price: demand the platform sees does not vanish when riders decline.
    const searches = [1, 3].map((m) => count(run(config({ seed: 9, fleet: 400 }), everywhere(m)), "search"));
    expect(searches[0]).toBe(searches[1] ?? -1);
  });

  test("a more elastic rider base turns away more requests above the median willingness to pay", () => {
    const at = (elasticity: number) =>
      count(run(config({ seed: 4, willingness: { median: 1.6, elasticity } }), everywhere(2.5)), "request");
    expect(at(3)).toBeLessThan(at(0.7));
  });

  test("drivers are never double-booked, and every trip ends with the driver free again", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 5, max: 60 }), (seed, fleet) => {
        // A small fleet under a stadium crowd: riders compete for every driver.
        const c = config({ seed, fleet, scenario: scenario("stadium"), minutes: 20, ridersPerMinute: 40, initialBusyShare: 0.3 });
        const steps = run(c);
        const byDriver = new Map<string, Match[]>();
        for (const s of steps) {
          const here = new Set<string>();
          for (const m of s.matches) {
            expect(here.has(m.driverId)).toBe(false);
            here.add(m.driverId);
            byDriver.set(m.driverId, [...(byDriver.get(m.driverId) ?? []), m]);
          }
        }
        const end = c.minutes * 60;
        let ended = 0;
        for (const [driverId, trips] of byDriver) {
          for (let i = 1; i < trips.length; i++)
            expect(trips[i]?.assignedAt ?? 0).toBeGreaterThanOrEqual(trips[i - 1]?.endsAt ?? 0);
          for (const trip of trips) {
            expect(trip.endsAt).toBeGreaterThan(trip.assignedAt);
            if (trip.endsAt > end - c.stepSeconds) continue;
            // Within a step of the trip's end (and not before) the driver is free: their app says so,
            // or they are dispatched again straight away.
            const next = steps.find(
              (s) =>
                s.at > trip.assignedAt + c.stepSeconds &&
                (s.supply.some((r) => r.driverId === driverId && r.status !== "busy") ||
                  s.matches.some((m) => m.driverId === driverId)),
            );
            expect(next).toBeDefined();
            const freeAt = next?.matches.find((m) => m.driverId === driverId)?.assignedAt ?? (next?.at ?? 0) - c.stepSeconds;
            expect(freeAt).toBeGreaterThanOrEqual(trip.endsAt);
            expect(freeAt).toBeLessThan(trip.endsAt + c.stepSeconds);
            ended += 1;
          }
        }
        expect(ended).toBeGreaterThan(0);
      }),
      { numRuns: 6 },
    );
  });

  test("a requesting rider is served by the nearest idle driver within reach, or gives up after their patience", () => {
    const steps = run(config({ seed: 21, fleet: 8, ridersPerMinute: 30, maxPickupKm: 2, patienceSeconds: 60 }));
    const rows = steps.flatMap((s) => (s.minute ? [s.minute] : []));
    const f = figures(rows);
    expect(f.served).toBeGreaterThan(0);
    expect(f.unserved).toBeGreaterThan(0); // eight drivers cannot carry thirty riders a minute
    for (const m of steps.flatMap((s) => s.matches)) expect(m.pickupKm).toBeLessThanOrEqual(2);
    // Each rider's outcome is counted once: never more served and lost than requested.
    expect(f.served + f.unserved).toBeLessThanOrEqual(f.requests);
  });

  test("drivers report often enough for the platform to keep counting them", () => {
    const c = config({ seed: 2, reportEverySeconds: 30, fleet: 50, minutes: 5 });
    const last = new Map<string, number>();
    for (const s of run(c)) {
      for (const r of s.supply) last.set(r.driverId, s.at);
      for (const at of last.values()) expect(s.at - at).toBeLessThanOrEqual(30);
    }
    expect(last.size).toBe(50);
  });

  test("idle drivers drift toward higher multipliers", () => {
    const hot = city.venue().cells;
    const view: PlatformView = { heatmap: hot.map((cell) => ({ cell, multiplier: 2.5 })) };
    const near = (steps: Step[]) => {
      const positions = new Map<string, { lat: number; lng: number }>();
      for (const s of steps) for (const r of s.supply) positions.set(r.driverId, r);
      return [...positions.values()].filter((p) => {
        const cell = city.cellOf(p);
        return cell !== undefined && hot.includes(cell);
      }).length;
    };
    const c = config({ seed: 13, fleet: 300, ridersPerMinute: 1, minutes: 15, initialBusyShare: 0 });
    expect(near(run(c, view))).toBeGreaterThan(near(run(c, restful)) + 10);
  });
});

describe("speed", () => {
  test("time constants are divided by the speed, clamped at the schema's minimums, and the clamps are reported", () => {
    const times = { demandHalfLifeSeconds: 180, supplyWindowSeconds: 60, updateIntervalMs: 200 };
    expect(scaleSurgeTimes(times, 1)).toEqual({ times, changes: [] });
    const { times: fast, changes } = scaleSurgeTimes(times, 36);
    expect(fast).toEqual({ demandHalfLifeSeconds: 10, supplyWindowSeconds: 10, updateIntervalMs: 100 });
    expect(changes.every((c) => c.clamped)).toBe(true);
    const { times: six, changes: sixChanges } = scaleSurgeTimes(times, 6);
    expect(six).toEqual({ demandHalfLifeSeconds: 30, supplyWindowSeconds: 10, updateIntervalMs: 100 });
    expect(sixChanges.filter((c) => c.clamped).map((c) => c.field)).toEqual(["updateIntervalMs"]);
  });
});

describe("reports", () => {
  test("a run's minutes become CSV rows, a summary per phase and a chart with one line per run", () => {
    const c = config({ scenario: scenario("stadium"), minutes: 14 });
    const rows = run(c).flatMap((s) => (s.minute ? [s.minute] : []));
    expect(rows.map((r) => r.minute)).toEqual([...Array(14).keys()]);
    const csv = toCsv(rows).trim().split("\n");
    expect(csv).toHaveLength(15);
    expect(csv[0]?.split(",")).toContain("completion_rate");
    const summary = summarize(rows, { scenario: c.scenario, pricing: "static", seed: 7 });
    expect(Object.keys(summary.phases)).toEqual(["before", "spike", "after"]);
    expect(summary.phases.spike?.minutes).toBe(6);
    expect(summary.restedAtMinute).toBe(8); // nothing surged: at rest from the spike's end
    const svg = chartSvg("t", c.scenario, [
      { label: "dynamic", rows, colour: "#00f" },
      { label: "static", rows, colour: "#f00", dashed: true },
    ]);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/stroke-width="2.5"(?: stroke-dasharray="7 4")?\/>/g)?.length).toBeGreaterThanOrEqual(6);
  });

  test("the multiplier is at rest only from the minute it stays at 1.0", () => {
    const base = run(config({ scenario: scenario("stadium"), minutes: 14 })).flatMap((s) => (s.minute ? [s.minute] : []));
    const venue = [1, 1, 1, 2, 3, 3, 3, 2, 1.5, 1, 1.2, 1, 1, 1];
    const rows: MinuteRow[] = base.map((r, i) => ({ ...r, venueMultiplier: venue[i] ?? 1 }));
    expect(summarize(rows, { scenario: scenario("stadium"), pricing: "dynamic", seed: 1 }).restedAtMinute).toBe(11);
  });
});

// ── Against the real platform ─────────────────────────────────────────────────────────────

let p: Platform;
let out: string;

describe("the stadium, dynamic vs static, against the platform", () => {
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "equilibrium-sim-"));
    p = await startPlatform();
    await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  });
  afterAll(async () => {
    await p?.dispose();
    rmSync(out, { recursive: true, force: true });
  });

  test(
    "with surge, more requests are served and pickups are sooner during the spike, and the venue is back to 1.0 after",
    async () => {
      const before = (await (await p.as("operator", { markets: ["nyc"] }).fetch("/v1/markets/nyc")).json()) as Market;
      // 24 simulated minutes at ×44, about 33 s of wall time per run: ten minutes of a stadium crowd
      // twelve times the venue's usual demand, then ten for the market to settle. The platform's clock
      // bounds this: its demand half-life cannot go below 10 wall seconds, and the venue needs about
      // one half-life after the crowd has gone to come back to 1.0.
      const args = ["--url", p.url, "--market", "nyc", "--scenario", "stadium", "--minutes", "24", "--speed", "44"];
      args.push("--compare", "--seed", "1", "--drivers", "600", "--spike", "12", "--quiet", "--out", join(out, "stadium.csv"));
      const cli = Bun.spawn([process.execPath, resolve(ROOT, "scripts/simulate.ts"), ...args], {
        cwd: out,
        // The simulator acts as the apps' back end (service) and as the operator who sets the market up for the run.
        env: {
          ...process.env,
          EQUILIBRIUM_TOKEN: await p.token({ subject: "simulator", roles: ["service", "operator"], markets: ["nyc"] }),
        },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [code, stdout, stderr] = await Promise.all([
        cli.exited,
        new Response(cli.stdout).text(),
        new Response(cli.stderr).text(),
      ]);
      expect(code, `${stdout}\n${stderr}`).toBe(0);

      const summary = JSON.parse(readFileSync(join(out, "stadium-compare.summary.json"), "utf8")) as {
        runs: Record<"dynamic" | "static", ReturnType<typeof summarize> & { platform: { rejectedEvents: number } }>;
      };
      const dynamic = summary.runs.dynamic;
      const fixed = summary.runs.static;
      const dSpike = dynamic.phases.spike;
      const sSpike = fixed.phases.spike;
      if (!dSpike || !sSpike) throw new Error(`no spike figures in ${JSON.stringify(summary)}`);
      const story = `dynamic ${JSON.stringify(dSpike)}\nstatic ${JSON.stringify(sSpike)}\n${stdout}`;

      // The platform took every event the apps sent.
      expect(dynamic.platform.rejectedEvents + fixed.platform.rejectedEvents).toBe(0);
      // Surge happened with surge on, and never with it off.
      expect(dSpike.venue.maxMultiplier ?? 1, story).toBeGreaterThanOrEqual(2);
      expect(fixed.whole.maxMultiplier).toBe(1);
      // Hall, Kendrick & Nosko: with surge, a higher completion rate and shorter pickup ETAs during the spike…
      expect(dSpike.completionRate ?? 0, story).toBeGreaterThan(sSpike.completionRate ?? 1);
      expect(dSpike.meanEtaMin ?? Number.POSITIVE_INFINITY, story).toBeLessThan(sSpike.meanEtaMin ?? 0);
      expect(dSpike.venue.meanEtaMin ?? Number.POSITIVE_INFINITY, story).toBeLessThan(sSpike.venue.meanEtaMin ?? 0);
      // …and the price pays for that by turning some riders away.
      expect(dSpike.requestRate ?? 1).toBeLessThan(sSpike.requestRate ?? 0);
      // …and the multipliers back to 1.0 after it.
      expect(dynamic.restedAtMinute, story).not.toBeNull();
      expect(dynamic.end.venueMultiplier).toBe(1);

      // Per-minute CSVs and the chart with both runs.
      for (const pricing of ["dynamic", "static"]) {
        expect(
          readFileSync(join(out, `stadium-${pricing}.csv`), "utf8")
            .trim()
            .split("\n"),
        ).toHaveLength(25);
      }
      const svg = readFileSync(join(out, "stadium-compare.svg"), "utf8");
      expect(svg).toContain("dynamic pricing");
      expect(svg).toContain("static pricing");

      // The market's own settings are back, and nothing is left to restore.
      const after = (await (await p.as("operator", { markets: ["nyc"] }).fetch("/v1/markets/nyc")).json()) as Market;
      expect(after.surge).toEqual(before.surge);
      expect(existsSync(join(out, ".nyc.original.json"))).toBe(false);
    },
    { timeout: 150_000 },
  );
});
