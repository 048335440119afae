/**
 * The statistics an experiment's results rest on, pure and small enough to check by hand:
 * Student's t and the chi-square distribution, the effect of a treatment on a ratio metric with
 * cluster-robust standard errors, a permutation test (with the interval it inverts to), and the
 * sample-ratio check.
 *
 * Every metric is a ratio of sums: Σ numerator / Σ denominator over an arm (requests over
 * searches, revenue over unit-windows). The effect is the difference of the two arms' ratios,
 * the estimate of weighted least squares of y = num / den on an intercept and the treatment,
 * weights den — whose sandwich variance, clustered, is Σ_g (T_g / D₁ − C_g / D₀)², T_g and C_g
 * the cluster's residual sums (num − den × its arm's ratio) in treatment and control.
 */

export interface Observation {
  /** What observations share their errors by: the switchback's unit (its cell, over all windows). */
  cluster: string;
  /** Within what observations are exchanged by the permutation test (default: all together). */
  stratum?: string;
  treated: boolean;
  num: number;
  den: number;
}

export interface ClusterRobustEffect {
  control: number;
  treatment: number;
  /** treatment − control */
  estimate: number;
  se: number;
  /** Degrees of freedom of the t reference: clusters − 1. */
  df: number;
  ci: [number, number];
  p: number;
  clusters: number;
  observations: number;
}

export interface PermutationEffect {
  estimate: number;
  p: number;
  ci: [number, number];
  permutations: number;
  /** Every arrangement was enumerated (else a random sample of them). */
  exact: boolean;
}

// ── distributions ─────────────────────────────────────────────────────────────────────────────

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const TINY = 1e-300;
const EPSILON = 1e-15;

/** The regularised incomplete beta function I_x(a, b), by its continued fraction (modified Lentz). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // The fraction converges fast below the mean; above it, use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x)) / a;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < TINY ? TINY : d);
  let h = d;
  for (let m = 1; m <= 500; m++) {
    for (const numerator of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < TINY ? TINY : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < TINY) c = TINY;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < EPSILON) break;
  }
  return front * h;
}

/**
 * P(T ≤ t) for Student's t with `df` degrees of freedom.
 * @example studentT(2.228139, 10) // 0.975
 */
export function studentT(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2) = 1 − I_{t²/(df+t²)}(1/2, df/2); near 0 the second keeps its digits.
  const tail =
    t * t < df
      ? 0.5 - 0.5 * regularizedBeta((t * t) / (df + t * t), 0.5, df / 2)
      : 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/**
 * The t with P(T ≤ t) = p (bisection on the distribution: 200 halvings are exact to the double).
 * @example studentTQuantile(0.975, 3) // 3.182446
 */
export function studentTQuantile(p: number, df: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  let lo = -1;
  let hi = 1;
  while (studentT(lo, df) > p) lo *= 2;
  while (studentT(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (studentT(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The regularised upper incomplete gamma Q(a, x) = 1 − P(a, x): by its series below a + 1, its continued fraction above. */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * EPSILON; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * front;
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    h *= d * c;
    if (Math.abs(d * c - 1) < EPSILON) break;
  }
  return front * h;
}

/**
 * P(X > x) for a chi-square with k degrees of freedom.
 * @example chiSquareSurvival(10, 1) // 0.0015654
 */
export function chiSquareSurvival(x: number, k: number): number {
  return regularizedGammaQ(k / 2, x / 2);
}

// ── effects ───────────────────────────────────────────────────────────────────────────────────

function arms(obs: readonly Observation[]) {
  let n0 = 0;
  let d0 = 0;
  let n1 = 0;
  let d1 = 0;
  for (const o of obs) {
    if (o.treated) {
      n1 += o.num;
      d1 += o.den;
    } else {
      n0 += o.num;
      d0 += o.den;
    }
  }
  return { n0, d0, n1, d1 };
}

/**
 * The effect of the treatment on a ratio metric, its standard error clustered by `cluster` (CR1:
 * the sandwich times G/(G−1) · (N−1)/(N−2)), and a t interval and p-value on G − 1 degrees of
 * freedom. Undefined when an arm has no denominator or fewer than two clusters hold data.
 *
 * @example
 * // Four units, each with a control and a treated window, den 1: control 1,3,2,2 and treated 4,4,6,2.
 * clusterRobustEffect(obs) // estimate 2, se √(0.625 × 4/3 × 7/6) = 0.986, df 3, p 0.136
 */
export function clusterRobustEffect(obs: readonly Observation[], level = 0.95): ClusterRobustEffect | undefined {
  const { n0, d0, n1, d1 } = arms(obs);
  if (!(d0 > 0 && d1 > 0)) return undefined;
  const r0 = n0 / d0;
  const r1 = n1 / d1;
  const byCluster = new Map<string, number>();
  let used = 0;
  for (const o of obs) {
    if (o.den === 0 && o.num === 0) continue;
    used += 1;
    // This observation's part of the influence on r1 − r0: its residual over its arm's denominator.
    const part = o.treated ? (o.num - o.den * r1) / d1 : -(o.num - o.den * r0) / d0;
    byCluster.set(o.cluster, (byCluster.get(o.cluster) ?? 0) + part);
  }
  const clusters = byCluster.size;
  if (clusters < 2 || used < 3) return undefined;
  let meat = 0;
  for (const s of byCluster.values()) meat += s * s;
  const correction = (clusters / (clusters - 1)) * ((used - 1) / (used - 2));
  const se = Math.sqrt(meat * correction);
  const df = clusters - 1;
  const estimate = r1 - r0;
  const t = studentTQuantile(1 - (1 - level) / 2, df);
  const p = se > 0 ? 2 * (1 - studentT(Math.abs(estimate / se), df)) : estimate === 0 ? 1 : 0;
  return {
    control: r0,
    treatment: r1,
    estimate,
    se,
    df,
    ci: [estimate - t * se, estimate + t * se],
    p: Math.min(1, p),
    clusters,
    observations: used,
  };
}

/**
 * A permutation (randomisation) test of the effect on a ratio metric: the treatment labels are
 * exchanged within each stratum, as the design could have drawn them, and the observed difference
 * is compared with the differences of the rearrangements. Every arrangement when there are at most
 * `permutations` of them (one stratum), else that many drawn at random with `random`.
 *
 * The interval inverts the test under a constant additive effect τ (treated ratios shifted by τ):
 * each rearrangement's difference is then linear in τ, so p(τ) costs one pass over the
 * rearrangements and the interval's ends are found by bisection.
 *
 * @example
 * // Control 1, 2, 3 and treated 4, 5, 6: of the 20 arrangements only this one and its mirror
 * // differ by 3 or more.
 * permutationEffect(obs, { permutations: 1000, random }) // { estimate: 3, p: 0.1, exact: true }
 */
export function permutationEffect(
  obs: readonly Observation[],
  options: { permutations: number; random: () => number; level?: number },
): PermutationEffect | undefined {
  const level = options.level ?? 0.95;
  const { n0, d0, n1, d1 } = arms(obs);
  if (!(d0 > 0 && d1 > 0)) return undefined;
  const observed = n1 / d1 - n0 / d0;
  const n = obs.length;
  const num = Float64Array.from(obs, (o) => o.num);
  const den = Float64Array.from(obs, (o) => o.den);
  const treated = Uint8Array.from(obs, (o) => (o.treated ? 1 : 0));

  // Each rearrangement as (c, d): its difference at τ is c − τ·d.
  const cs: number[] = [];
  const ds: number[] = [];
  const record = (labels: Uint8Array) => {
    let a1 = 0;
    let b1 = 0;
    let e1 = 0;
    let a0 = 0;
    let b0 = 0;
    let e0 = 0;
    for (let i = 0; i < n; i++) {
      const shifted = (den[i] as number) * (treated[i] as number);
      if (labels[i]) {
        a1 += num[i] as number;
        b1 += den[i] as number;
        e1 += shifted;
      } else {
        a0 += num[i] as number;
        b0 += den[i] as number;
        e0 += shifted;
      }
    }
    if (!(b0 > 0 && b1 > 0)) return; // an arrangement with an empty arm says nothing
    cs.push(a1 / b1 - a0 / b0);
    ds.push(e1 / b1 - e0 / b0);
  };

  const strata = new Map<string, number[]>();
  obs.forEach((o, i) => {
    const key = o.stratum ?? "";
    const list = strata.get(key) ?? [];
    list.push(i);
    strata.set(key, list);
  });
  const k = treated.reduce((s, t) => s + t, 0);
  const exact = strata.size === 1 && choose(n, k) <= options.permutations;
  if (exact) {
    const labels = new Uint8Array(n);
    const place = (from: number, left: number) => {
      if (left === 0) return record(labels);
      for (let i = from; i <= n - left; i++) {
        labels[i] = 1;
        place(i + 1, left - 1);
        labels[i] = 0;
      }
    };
    place(0, k);
  } else {
    const labels = Uint8Array.from(treated);
    for (let b = 0; b < options.permutations; b++) {
      for (const members of strata.values()) {
        // Fisher–Yates on the stratum's labels.
        for (let i = members.length - 1; i > 0; i--) {
          const j = Math.floor(options.random() * (i + 1));
          const a = members[i] as number;
          const c = members[j] as number;
          const t = labels[a] as number;
          labels[a] = labels[c] as number;
          labels[c] = t;
        }
      }
      record(labels);
    }
  }

  const count = cs.length;
  // Monte Carlo p-values count the observed arrangement too (never 0); enumeration includes it already.
  const pAt = (tau: number) => {
    const bar = Math.abs(observed - tau) * (1 - 1e-12) - 1e-12;
    let extreme = 0;
    for (let i = 0; i < count; i++) if (Math.abs((cs[i] as number) - tau * (ds[i] as number)) >= bar) extreme++;
    return exact ? extreme / count : (extreme + 1) / (count + 1);
  };
  const alpha = 1 - level;
  const spread = Math.sqrt(cs.reduce((s, c) => s + c * c, 0) / Math.max(1, count)) || Math.abs(observed) || 1;
  const end = (direction: 1 | -1): number => {
    let inside = observed;
    let step = spread;
    let outside = observed + direction * step;
    for (let i = 0; pAt(outside) > alpha; i++) {
      if (i > 60) return direction * Number.POSITIVE_INFINITY;
      inside = outside;
      step *= 2;
      outside = observed + direction * step;
    }
    for (let i = 0; i < 60; i++) {
      const mid = (inside + outside) / 2;
      if (pAt(mid) > alpha) inside = mid;
      else outside = mid;
    }
    return inside;
  };
  return { estimate: observed, p: pAt(0), ci: [end(-1), end(1)], permutations: count, exact };
}

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (n - k + i)) / i;
    if (c > 1e12) return c;
  }
  return Math.round(c);
}

/**
 * The sample-ratio check: are the units in each arm what the weights promise? A chi-square
 * goodness-of-fit test; a p-value under `threshold` (0.001, as is usual) means the assignment or
 * the data lost units unevenly, and no effect should be trusted until that is explained.
 * @example sampleRatio({ a: 550, b: 450 }, { a: 1, b: 1 }) // chiSquare 10, df 1, p 0.00157, mismatch false
 */
export function sampleRatio(
  counts: Readonly<Record<string, number>>,
  weights: Readonly<Record<string, number>>,
  threshold = 0.001,
): { chiSquare: number; df: number; p: number; mismatch: boolean; threshold: number } {
  const ids = Object.keys(weights);
  const total = ids.reduce((s, id) => s + (counts[id] ?? 0), 0);
  const weightSum = ids.reduce((s, id) => s + (weights[id] ?? 0), 0);
  let chiSquare = 0;
  for (const id of ids) {
    const expected = (total * (weights[id] ?? 0)) / weightSum;
    if (expected > 0) chiSquare += ((counts[id] ?? 0) - expected) ** 2 / expected;
  }
  const df = ids.length - 1;
  const p = total > 0 && df > 0 ? chiSquareSurvival(chiSquare, df) : 1;
  return { chiSquare, df, p, mismatch: p < threshold, threshold };
}
