import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { type ExperimentInput, ExperimentInputSchema, type Metric } from "../shared/contracts/experiments";
import { analyse, metricValue, type UnitWindowRow } from "../shared/experiments/analysis";
import type { StoredExperiment } from "../shared/experiments/assignment";
import { SurgeSettingsSchema } from "../shared/pricing/market";
import { City } from "../simulator/city";
import { scenario } from "../simulator/scenario";
import { type SimulationConfig, simulationDefaults } from "../simulator/simulation";
import { runSwitchback } from "../simulator/switchback";

/**
 * Proof of the switchback analysis where the truth is known, in the simulator (in process, with
 * the platform's pure pricing core; see simulator/switchback.ts):
 *
 * - **A/A**: two identical variants, run for many seeds (each seed a new city day and a new
 *   assignment salt). A test at 5% should call "significant" in about 5% of them.
 * - **A/B**: variant b's surge sensitivity truly higher. The true effect is what the whole market
 *   would show under b against under a (two global runs of the same seed, the same riders),
 *   averaged over the seeds; the switchback must find it with the right sign, and its intervals
 *   must cover it.
 *
 *   bun scripts/experiment-proof.ts [--aa 200] [--ab 60] [--minutes 240] [--window 20] [--burn-in 5]
 *     [--unit-resolution 7] [--sensitivity 1.5] [--market nyc-manhattan] [--out sim-out/experiment-proof.json]
 */

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const aaSeeds = Number(option("aa", "200"));
const abSeeds = Number(option("ab", "60"));
const minutes = Number(option("minutes", "240"));
const windowMinutes = Number(option("window", "20"));
const burnInMinutes = Number(option("burn-in", "5"));
const unitResolution = Number(option("unit-resolution", "7"));
const sensitivity = Number(option("sensitivity", "1.5"));
const marketName = option("market", "nyc-manhattan");
const out = resolve(option("out", "sim-out/experiment-proof.json"));
const METRICS: Metric[] = ["conversion", "multiplier", "revenue"];

const market = JSON.parse(readFileSync(resolve(import.meta.dir, `../db/seed/markets/${marketName}.json`), "utf8"));
const city = new City({ geofence: market.geofence, resolution: market.resolution ?? 8 });
// One tick per 5-second step: the curve's settings, with the zone's tick as long as a step.
const settings = SurgeSettingsSchema.parse({ ...market.surge, updateIntervalMs: 5000 });
const defaults = simulationDefaults(city.cells.length);
const FROM = Date.UTC(2026, 11, 1, 18);

function experiment(variants: ExperimentInput["variants"], seed: number): StoredExperiment {
  const input = ExperimentInputSchema.parse({
    market: marketName,
    name: "proof",
    design: "switchback",
    windowMinutes,
    burnInMinutes,
    unitResolution,
    variants,
    mode: "live",
    from: new Date(FROM).toISOString(),
    to: new Date(FROM + minutes * 60_000).toISOString(),
  });
  const at = new Date(FROM).toISOString();
  return { ...input, id: "proof", salt: `salt-${seed}`, createdAt: at, updatedAt: at, stoppedAt: null, stopReason: null };
}

function config(seed: number): SimulationConfig {
  return {
    ...defaults,
    seed,
    scenario: scenario("weekday"),
    minutes,
    fare: market.products[0],
    trip: market.trip ?? { detourFactor: 1.3, speedKmh: 25 },
    // A fleet a little short of an ordinary day's: the market surges now and then, so the curve matters.
    fleet: Math.round(6 * city.cells.length),
  };
}

const A_A: ExperimentInput["variants"] = [
  { id: "a", weight: 1 },
  { id: "b", weight: 1 },
];
const A_B: ExperimentInput["variants"] = [
  { id: "a", weight: 1 },
  { id: "b", weight: 1, surge: { sensitivity } },
];

interface Verdict {
  estimate: number;
  crCi: [number, number];
  crP: number;
  permCi: [number, number];
  permP: number;
}

function verdicts(e: StoredExperiment, rows: UnitWindowRow[]): Record<Metric, Verdict> {
  const out = {} as Record<Metric, Verdict>;
  for (const metric of METRICS) {
    const effect = analyse({ ...e, primaryMetric: metric }, rows, { permutations: 999 }).effects[0];
    const cr = effect?.clusterRobust;
    const perm = effect?.permutation;
    out[metric] = {
      estimate: effect?.estimate ?? Number.NaN,
      crCi: cr?.ci ?? [Number.NaN, Number.NaN],
      crP: cr?.p ?? Number.NaN,
      permCi: perm?.ci ?? [Number.NaN, Number.NaN],
      permP: perm?.p ?? Number.NaN,
    };
  }
  return out;
}

const started = performance.now();
const progress = (what: string, i: number, n: number) =>
  process.stderr.write(`\r${what} ${i}/${n} (${((performance.now() - started) / 1000).toFixed(0)} s)   `);

// A/A
const aa: Array<Record<Metric, Verdict>> = [];
for (let seed = 1; seed <= aaSeeds; seed++) {
  progress("A/A", seed, aaSeeds);
  const e = experiment(A_A, seed);
  aa.push(verdicts(e, runSwitchback({ city, config: config(seed), settings, experiment: e, assignment: "switchback" }).rows));
}

// A/B, with each seed's global counterfactuals
const ab: Array<Record<Metric, Verdict>> = [];
const truths: Array<Record<Metric, number>> = [];
for (let seed = 1; seed <= abSeeds; seed++) {
  progress("A/B", seed, abSeeds);
  const e = experiment(A_B, 10_000 + seed);
  const c = config(10_000 + seed);
  ab.push(verdicts(e, runSwitchback({ city, config: c, settings, experiment: e, assignment: "switchback" }).rows));
  const allA = runSwitchback({ city, config: c, settings, experiment: e, assignment: "a" }).rows;
  const allB = runSwitchback({ city, config: c, settings, experiment: e, assignment: "b" }).rows;
  truths.push(Object.fromEntries(METRICS.map((m) => [m, metricValue(allB, m) - metricValue(allA, m)])) as Record<Metric, number>);
}
process.stderr.write("\n");

const share = (xs: boolean[]) => (xs.length === 0 ? Number.NaN : xs.filter(Boolean).length / xs.length);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const covers = (ci: [number, number], x: number) => ci[0] <= x && x <= ci[1];
const summary = {
  setup: {
    market: marketName,
    cells: city.cells.length,
    minutes,
    windowMinutes,
    burnInMinutes,
    unitResolution,
    fleet: config(1).fleet,
    settings: { sensitivity: settings.sensitivity, cap: settings.cap },
    treatmentSensitivity: sensitivity,
    seconds: Math.round((performance.now() - started) / 1000),
  },
  aa: Object.fromEntries(
    METRICS.map((m) => [
      m,
      {
        runs: aa.length,
        falsePositiveRate: {
          clusterRobust: share(aa.map((v) => v[m].crP < 0.05)),
          permutation: share(aa.map((v) => v[m].permP < 0.05)),
        },
      },
    ]),
  ),
  ab: Object.fromEntries(
    METRICS.map((m) => {
      const truth = mean(truths.map((t) => t[m]));
      return [
        m,
        {
          runs: ab.length,
          trueEffect: truth,
          meanEstimate: mean(ab.map((v) => v[m].estimate)),
          rightSign: share(ab.map((v) => Math.sign(v[m].estimate) === Math.sign(truth))),
          significant: {
            clusterRobust: share(ab.map((v) => v[m].crP < 0.05)),
            permutation: share(ab.map((v) => v[m].permP < 0.05)),
          },
          coverage: {
            clusterRobust: share(ab.map((v) => covers(v[m].crCi, truth))),
            permutation: share(ab.map((v) => covers(v[m].permCi, truth))),
          },
        },
      ];
    }),
  ),
};

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  `A/A: ${aaSeeds} seeds; A/B: ${abSeeds} seeds (sensitivity ${settings.sensitivity} → ${sensitivity}); ${minutes} min, ${windowMinutes}-min windows, ${burnInMinutes} min burn-in, units at resolution ${unitResolution}; ${summary.setup.seconds} s`,
);
console.log(
  "| metric | A/A false positives (CR / perm.) | true effect | mean estimate | right sign | significant (CR / perm.) | 95% CI covers truth (CR / perm.) |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const m of METRICS) {
  const a = summary.aa[m] as { falsePositiveRate: { clusterRobust: number; permutation: number } };
  const b = summary.ab[m] as {
    trueEffect: number;
    meanEstimate: number;
    rightSign: number;
    significant: { clusterRobust: number; permutation: number };
    coverage: { clusterRobust: number; permutation: number };
  };
  const digits = m === "revenue" ? 0 : 4;
  console.log(
    `| ${m} | ${pct(a.falsePositiveRate.clusterRobust)} / ${pct(a.falsePositiveRate.permutation)} | ${b.trueEffect.toFixed(digits)} | ${b.meanEstimate.toFixed(digits)} | ${pct(b.rightSign)} | ${pct(b.significant.clusterRobust)} / ${pct(b.significant.permutation)} | ${pct(b.coverage.clusterRobust)} / ${pct(b.coverage.permutation)} |`,
  );
}
mkdirSync(resolve(out, ".."), { recursive: true });
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`written ${out}`);
