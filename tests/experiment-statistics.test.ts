import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  chiSquareSurvival,
  clusterRobustEffect,
  logGamma,
  type Observation,
  permutationEffect,
  sampleRatio,
  studentT,
  studentTQuantile,
} from "../shared/experiments/statistics";
import { Random } from "../shared/kit/random";

/**
 * The statistics of an experiment's results, against examples worked by hand (closed forms of
 * the distributions where they exist, the sandwich written out for a four-unit switchback).
 */

describe("distributions", () => {
  test("ln Γ at integers and halves", () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  test("Student's t with 1 and 3 degrees of freedom, by their closed forms", () => {
    // t₁ is Cauchy: F(t) = 1/2 + atan(t)/π.
    for (const t of [-4, -1, 0, 0.3, 2.5]) expect(studentT(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
    // t₃: F(t) = 1/2 + [ (t/√3)/(1 + t²/3) + atan(t/√3) ] / π.
    for (const t of [-3, -0.7, 1.2, 2.0284]) {
      const u = t / Math.sqrt(3);
      expect(studentT(t, 3)).toBeCloseTo(0.5 + (u / (1 + (t * t) / 3) + Math.atan(u)) / Math.PI, 10);
    }
  });

  test("t quantiles of the tables; a large df is the normal's", () => {
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.182446, 5);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 4);
    expect(studentTQuantile(0.5, 4)).toBeCloseTo(0, 9);
  });

  test("chi-square tails: exp(−x/2) with two degrees of freedom, erfc(√(x/2)) with one", () => {
    for (const x of [0.3, 2, 9.21]) expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 10);
    expect(chiSquareSurvival(10, 1)).toBeCloseTo(0.0015654, 6);
    expect(chiSquareSurvival(7.5, 3)).toBeCloseTo(0.0575585, 6);
  });
});

/**
 * Four units, each seen in one control window and one treated window, a count per window:
 * control 1, 3, 2, 2 (mean 2) and treated 4, 4, 6, 2 (mean 4). The residuals per unit are
 * control −1, 1, 0, 0 and treated 0, 0, 2, −2, so the clustered influence of each unit on the
 * difference is T/4 − C/4: 0.25, −0.25, 0.5, −0.5; squared and summed, 0.625. CR1 multiplies by
 * G/(G−1) · (N−1)/(N−2) = 4/3 · 7/6: the variance is 0.97222, the standard error 0.98601; t =
 * 2.0284 on 3 degrees of freedom gives p = 0.1356 (by t₃'s closed form), and the 95% interval
 * is 2 ± 3.182446 × 0.98601 = [−1.1379, 5.1379].
 */
const FOUR_UNITS: Observation[] = [
  [1, 4],
  [3, 4],
  [2, 6],
  [2, 2],
].flatMap(([control, treated], u) => [
  { cluster: `u${u}`, treated: false, num: control as number, den: 1 },
  { cluster: `u${u}`, treated: true, num: treated as number, den: 1 },
]);

describe("the effect with cluster-robust standard errors", () => {
  test("matches the sandwich worked by hand for four units", () => {
    const e = clusterRobustEffect(FOUR_UNITS);
    expect(e?.estimate).toBeCloseTo(2, 12);
    expect(e?.se).toBeCloseTo(0.98601, 5);
    expect(e?.df).toBe(3);
    expect(e?.p).toBeCloseTo(0.13556, 4);
    expect(e?.ci[0]).toBeCloseTo(-1.13793, 4);
    expect(e?.ci[1]).toBeCloseTo(5.13793, 4);
  });

  test("a ratio metric weighs each window by its denominator: requests over searches, pooled per arm", () => {
    const obs: Observation[] = [
      { cluster: "a", treated: false, num: 8, den: 10 },
      { cluster: "a", treated: true, num: 3, den: 10 },
      { cluster: "b", treated: false, num: 2, den: 10 },
      { cluster: "b", treated: true, num: 1, den: 2 },
    ];
    const e = clusterRobustEffect(obs);
    // Control 10/20 = 0.5, treated 4/12 = 1/3.
    expect(e?.control).toBeCloseTo(0.5, 12);
    expect(e?.treatment).toBeCloseTo(1 / 3, 12);
    // Influence: a: (3 − 10/3)/12 − (8 − 5)/20 = −0.17778; b: (1 − 2/3)/12 − (2 − 5)/20 = 0.17778;
    // squared and summed 0.063210, × 2/1 × 3/2: se = √0.18963 = 0.43547.
    expect(e?.se).toBeCloseTo(0.43547, 4);
  });

  test("units that move together widen the interval: clustering by unit is not the same as by window", () => {
    // Each unit keeps its arm in every window and has a level of its own: its 20 windows are one
    // piece of evidence, not twenty. Clustered by window the error would be understated.
    const random = new Random(3, "clusters");
    const obs: Observation[] = [];
    for (let u = 0; u < 30; u++) {
      const level = 10 * random.normal();
      for (let w = 0; w < 20; w++) obs.push({ cluster: `u${u}`, treated: u % 2 === 0, num: level + random.normal(), den: 1 });
    }
    const byUnit = clusterRobustEffect(obs);
    const byWindow = clusterRobustEffect(obs.map((o, i) => ({ ...o, cluster: `w${i}` })));
    expect(byUnit?.se).toBeGreaterThan(2 * (byWindow?.se as number));
    expect(byUnit?.df).toBe(29);
    expect(byWindow?.df).toBe(599);
  });

  test("undefined without both arms or with a single unit", () => {
    expect(clusterRobustEffect(FOUR_UNITS.filter((o) => o.treated))).toBeUndefined();
    expect(clusterRobustEffect(FOUR_UNITS.filter((o) => o.cluster === "u0"))).toBeUndefined();
  });
});

describe("the permutation test", () => {
  const six: Observation[] = [1, 2, 3, 4, 5, 6].map((v, i) => ({ cluster: `c${i}`, treated: v > 3, num: v, den: 1 }));

  test("enumerates every arrangement when they are few: 2 of the 20 differ by 3 or more", () => {
    const e = permutationEffect(six, { permutations: 1000, random: Math.random });
    expect(e).toMatchObject({ estimate: 3, permutations: 20, exact: true });
    expect(e?.p).toBeCloseTo(0.1, 12);
  });

  test("its interval holds the shifts τ the test cannot reject: at τ = 3 the data look like no effect", () => {
    const e = permutationEffect(six, { permutations: 1000, random: Math.random, level: 0.8 });
    // With α = 0.2 the observed τ = 0 is rejected (p = 0.1) and τ = estimate is not.
    expect(e?.ci[0]).toBeGreaterThan(0);
    expect(e?.ci[0]).toBeLessThan(3);
    expect(e?.ci[1]).toBeGreaterThan(3);
    // Symmetric data, symmetric interval.
    expect((e?.ci[0] as number) + (e?.ci[1] as number)).toBeCloseTo(6, 6);
  });

  test("sampled when there are many arrangements, with a p-value that is never 0", () => {
    const random = new Random(1, "perm");
    const obs: Observation[] = Array.from({ length: 60 }, (_, i) => ({
      cluster: `c${i}`,
      treated: i % 2 === 0,
      num: (i % 2 === 0 ? 5 : 0) + random.normal(),
      den: 1,
    }));
    const e = permutationEffect(obs, { permutations: 999, random: random.next.bind(random) });
    expect(e?.exact).toBe(false);
    expect(e?.p).toBeCloseTo(1 / 1000, 12);
    expect(e?.ci[0]).toBeLessThan(5);
    expect(e?.ci[1]).toBeGreaterThan(4);
  });

  test("under no effect its p-values are uniform: about 5% below 0.05, and it agrees with the clustered t", () => {
    const random = new Random(11, "null");
    let rejected = 0;
    let agree = 0;
    const runs = 300;
    for (let r = 0; r < runs; r++) {
      const obs: Observation[] = Array.from({ length: 40 }, (_, i) => ({
        cluster: `c${i}`,
        treated: random.chance(0.5),
        num: random.poisson(5),
        den: 1 + random.int(3),
      }));
      const perm = permutationEffect(obs, { permutations: 199, random: random.next.bind(random) });
      const cr = clusterRobustEffect(obs);
      if ((perm?.p as number) < 0.05) rejected++;
      if ((perm?.p as number) < 0.05 === (cr?.p as number) < 0.05) agree++;
    }
    expect(rejected / runs).toBeGreaterThan(0.015);
    expect(rejected / runs).toBeLessThan(0.095);
    expect(agree / runs).toBeGreaterThan(0.9);
  });

  test("within strata: a shadow experiment's variants, priced side by side in each window, are swapped only there", () => {
    const random = new Random(5, "pairs");
    const obs: Observation[] = [];
    for (let w = 0; w < 30; w++) {
      const level = 10 * random.next();
      obs.push({ cluster: `u${w % 5}`, stratum: `w${w}`, treated: false, num: level, den: 1 });
      obs.push({ cluster: `u${w % 5}`, stratum: `w${w}`, treated: true, num: level + 0.5 + 0.1 * random.normal(), den: 1 });
    }
    // The windows' levels vary far more than the effect; paired, the effect is plain.
    const paired = permutationEffect(obs, { permutations: 999, random: random.next.bind(random) });
    const unpaired = permutationEffect(
      obs.map(({ stratum: _, ...o }) => o),
      { permutations: 999, random: random.next.bind(random) },
    );
    expect(paired?.p).toBeLessThan(0.01);
    expect(unpaired?.p).toBeGreaterThan(0.05);
  });
});

describe("the sample-ratio check", () => {
  test("a fair split passes; a lopsided one is flagged", () => {
    expect(sampleRatio({ a: 500, b: 500 }, { a: 1, b: 1 })).toMatchObject({ chiSquare: 0, df: 1, p: 1, mismatch: false });
    const close = sampleRatio({ a: 550, b: 450 }, { a: 1, b: 1 });
    expect(close.chiSquare).toBeCloseTo(10, 12);
    expect(close.p).toBeCloseTo(0.0015654, 6);
    expect(close.mismatch).toBe(false);
    expect(sampleRatio({ a: 600, b: 400 }, { a: 1, b: 1 }).mismatch).toBe(true);
    // Weights need not sum to one: 1:3 expects 250 and 750.
    expect(sampleRatio({ a: 250, b: 750 }, { a: 1, b: 3 }).chiSquare).toBeCloseTo(0, 12);
  });

  test("under a fair assignment the check rarely fires (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const random = new Random(seed, "srm");
        const counts = { a: 0, b: 0, c: 0 };
        for (let i = 0; i < 3000; i++) {
          const u = random.next();
          counts[u < 0.2 ? "a" : u < 0.5 ? "b" : "c"] += 1;
        }
        return sampleRatio(counts, { a: 2, b: 3, c: 5 }).p > 1e-6;
      }),
      { numRuns: 50 },
    );
  });
});
