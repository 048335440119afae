import type { Guardrail, Metric } from "../contracts/experiments";
import { Random } from "../kit/random";
import type { StoredExperiment } from "./assignment";
import {
  type ClusterRobustEffect,
  clusterRobustEffect,
  type Observation,
  type PermutationEffect,
  permutationEffect,
  sampleRatio,
} from "./statistics";

/**
 * An experiment's results from what history recorded, per unit and window after the burn-in
 * (the rows come from Postgres, `db/experiments.ts`): per variant the metrics, for each variant
 * against the control the effect on the primary metric (and every guardrail's) with a
 * cluster-robust interval and a permutation test, the sample-ratio check and the guardrails.
 * Pure: the same rows give the same answer (the permutations are seeded by the experiment).
 */

/** What history recorded for one unit in one window, in one variant (shadow: every variant of every unit-window). */
export interface UnitWindowRow {
  unit: string;
  window: number;
  variant: string;
  searches: number;
  requests: number;
  quotes: number;
  /** Quotes verified (honoured): the completion known to the platform. */
  verified: number;
  /** Totals of verified quotes, at the multiplier charged (shadow: the variant's) and at 1.0, in minor units. */
  revenue: number;
  revenueAtOne: number;
  /** Active cell-minutes recorded, and the sum of their multipliers (shadow: the variant's). */
  cellMinutes: number;
  multiplierSum: number;
}

/** A unit-window with nothing recorded yet. */
export function emptyRow(unit: string, window: number, variant: string): UnitWindowRow {
  return {
    unit,
    window,
    variant,
    searches: 0,
    requests: 0,
    quotes: 0,
    verified: 0,
    revenue: 0,
    revenueAtOne: 0,
    cellMinutes: 0,
    multiplierSum: 0,
  };
}

/**
 * A metric over some unit-windows: its ratio of sums (NaN without a denominator).
 * @example metricValue(rows, "conversion") // Σ requests ÷ Σ searches
 */
export function metricValue(rows: readonly UnitWindowRow[], metric: Metric): number {
  return ratio(rows.map(METRIC_PARTS[metric]));
}

/** Each metric as a ratio of sums over a variant's unit-windows. */
export const METRIC_PARTS: Record<Metric, (r: UnitWindowRow) => [number, number]> = {
  conversion: (r) => [r.requests, r.searches],
  completion: (r) => [r.verified, r.quotes],
  multiplier: (r) => [r.multiplierSum, r.cellMinutes],
  revenue: (r) => [r.revenue, 1],
  revenueAtOne: (r) => [r.revenueAtOne, 1],
  quotes: (r) => [r.quotes, 1],
};

const METRIC_MEANING: Record<Metric, string> = {
  conversion: "requests ÷ searches",
  completion: "verified quotes ÷ quotes",
  multiplier: "mean shown multiplier over active cell-minutes",
  revenue: "verified revenue at the multiplier charged, per unit-window (minor units)",
  revenueAtOne: "verified revenue at ×1.0, per unit-window (minor units)",
  quotes: "quotes per unit-window",
};

export interface VariantSummary {
  id: string;
  weight: number;
  unitWindows: number;
  units: number;
  metrics: Record<Metric, number | null>;
  totals: Pick<UnitWindowRow, "searches" | "requests" | "quotes" | "verified" | "revenue" | "revenueAtOne" | "cellMinutes">;
}

export interface EffectSummary {
  variant: string;
  control: string;
  metric: Metric;
  /** Null while an arm has no data for the metric. */
  controlValue: number | null;
  variantValue: number | null;
  estimate: number | null;
  /** estimate ÷ control value (the control's own uncertainty aside). */
  relative: number | null;
  clusterRobust:
    | (Pick<ClusterRobustEffect, "se" | "df" | "ci" | "p" | "clusters" | "observations"> & {
        relativeCi: [number, number] | null;
      })
    | null;
  permutation: Pick<PermutationEffect, "p" | "ci" | "permutations" | "exact"> | null;
}

export interface GuardrailCheck extends Guardrail {
  variant: string;
  relativeCi: [number, number] | null;
  breached: boolean;
}

export interface ExperimentResults {
  experiment: string;
  market: string;
  mode: StoredExperiment["mode"];
  design: StoredExperiment["design"];
  primaryMetric: Metric;
  level: number;
  unitWindows: number;
  variants: VariantSummary[];
  effects: EffectSummary[];
  sampleRatio: (ReturnType<typeof sampleRatio> & { counts: Record<string, number> }) | null;
  guardrails: GuardrailCheck[];
  /** A guardrail surely breached in a live experiment: it stops. */
  breached: GuardrailCheck | null;
  method: { clusterRobust: string; permutation: string; metrics: Record<Metric, string> };
  assumptions: string[];
}

export interface AnalysisOptions {
  level?: number;
  permutations?: number;
  /** Guardrails are judged only once this many units hold data in both arms. */
  minClusters?: number;
}

export function analyse(e: StoredExperiment, rows: readonly UnitWindowRow[], options: AnalysisOptions = {}): ExperimentResults {
  const level = options.level ?? 0.95;
  const permutations = options.permutations ?? 2000;
  const minClusters = options.minClusters ?? 4;
  const control = e.variants[0]?.id ?? "";
  const shadow = e.mode === "shadow";

  const variants = e.variants.map((v) => summarise(v.id, v.weight, rows));
  const compare = (variant: string, metric: Metric): EffectSummary => {
    const obs = observations(rows, control, variant, metric, shadow);
    const cr = clusterRobustEffect(obs, level);
    // Seeded by the experiment, the pair and the metric: the same rows always give the same p-value.
    const random = new Random(0, `${e.id}|${variant}|${metric}`);
    const perm = permutationEffect(obs, { permutations, level, random: () => random.next() });
    const value = (id: string) =>
      metricValue(
        rows.filter((r) => r.variant === id),
        metric,
      );
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const controlValue = finite(value(control));
    const variantValue = finite(value(variant));
    const estimate = controlValue === null || variantValue === null ? null : variantValue - controlValue;
    const relative = estimate !== null && controlValue ? estimate / controlValue : null;
    return {
      variant,
      control,
      metric,
      controlValue,
      variantValue,
      estimate,
      relative,
      clusterRobust: cr
        ? {
            se: cr.se,
            df: cr.df,
            ci: cr.ci,
            p: cr.p,
            clusters: cr.clusters,
            observations: cr.observations,
            relativeCi: controlValue ? [cr.ci[0] / controlValue, cr.ci[1] / controlValue] : null,
          }
        : null,
      permutation: perm ? { p: perm.p, ci: perm.ci, permutations: perm.permutations, exact: perm.exact } : null,
    };
  };

  const treatments = e.variants.slice(1).map((v) => v.id);
  const effects = treatments.map((v) => compare(v, e.primaryMetric));
  const guardrails: GuardrailCheck[] = [];
  for (const g of e.guardrails) {
    for (const v of treatments) {
      const effect = g.metric === e.primaryMetric ? effects.find((x) => x.variant === v) : compare(v, g.metric);
      const cr = effect?.clusterRobust;
      const judged = cr?.relativeCi && cr.clusters >= minClusters ? cr.relativeCi : null;
      const breached = judged !== null && (g.worseIf === "lower" ? judged[1] < -g.tolerance : judged[0] > g.tolerance);
      guardrails.push({ ...g, variant: v, relativeCi: judged, breached });
    }
  }

  // Live: the unit-windows each variant was drawn for, against the weights. Shadow: every
  // unit-window has every variant, so there is no split to check.
  let ratioCheck: ExperimentResults["sampleRatio"] = null;
  if (!shadow) {
    const counts = Object.fromEntries(variants.map((v) => [v.id, v.unitWindows]));
    const weights = Object.fromEntries(e.variants.map((v) => [v.id, v.weight]));
    ratioCheck = { ...sampleRatio(counts, weights), counts };
  }

  return {
    experiment: e.id,
    market: e.market,
    mode: e.mode,
    design: e.design,
    primaryMetric: e.primaryMetric,
    level,
    unitWindows: new Set(rows.map((r) => `${r.unit}|${r.window}`)).size,
    variants,
    effects,
    sampleRatio: ratioCheck,
    guardrails,
    breached: shadow ? null : (guardrails.find((g) => g.breached) ?? null),
    method: {
      clusterRobust: `weighted least squares of each unit-window's metric on the variant (the difference of the arms' ratios of sums), CR1 standard errors clustered by unit, t on clusters − 1 degrees of freedom, ${Math.round(level * 100)}% interval`,
      permutation: shadow
        ? `variant labels swapped within each unit-window (every variant priced side by side), ${permutations} rearrangements; interval by inverting the test under a constant shift`
        : `variant labels exchanged among the unit-windows of the two arms (every arrangement when at most ${permutations}, else ${permutations} drawn); interval by inverting the test under a constant shift`,
      metrics: METRIC_MEANING,
    },
    assumptions: assumptions(e),
  };
}

/** The observations comparing one variant with the control on a metric: one per unit-window and arm. */
function observations(
  rows: readonly UnitWindowRow[],
  control: string,
  variant: string,
  metric: Metric,
  shadow: boolean,
): Observation[] {
  const parts = METRIC_PARTS[metric];
  const out: Observation[] = [];
  for (const r of rows) {
    if (r.variant !== control && r.variant !== variant) continue;
    const [num, den] = parts(r);
    out.push({
      cluster: r.unit,
      stratum: shadow ? `${r.unit}|${r.window}` : undefined,
      treated: r.variant === variant,
      num,
      den,
    });
  }
  return out;
}

function summarise(id: string, weight: number, rows: readonly UnitWindowRow[]): VariantSummary {
  const own = rows.filter((r) => r.variant === id);
  const totals = { searches: 0, requests: 0, quotes: 0, verified: 0, revenue: 0, revenueAtOne: 0, cellMinutes: 0 };
  for (const r of own) for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += r[k];
  const metrics = {} as Record<Metric, number | null>;
  for (const [metric, parts] of Object.entries(METRIC_PARTS) as Array<[Metric, (r: UnitWindowRow) => [number, number]]>) {
    const value = ratio(own.map(parts));
    metrics[metric] = Number.isFinite(value) ? value : null;
  }
  return { id, weight, unitWindows: own.length, units: new Set(own.map((r) => r.unit)).size, metrics, totals };
}

function ratio(parts: ReadonlyArray<[number, number]>): number {
  let num = 0;
  let den = 0;
  for (const [n, d] of parts) {
    num += n;
    den += d;
  }
  return den > 0 ? num / den : Number.NaN;
}

function assumptions(e: StoredExperiment): string[] {
  const out = [
    `Each unit (an H3 cell at resolution ${e.unitResolution}) and ${e.windowMinutes}-minute window was assigned its variant at random, independently of every other, with the variants' weights.`,
    `The first ${e.burnInMinutes} minutes of every window are dropped: what one window's prices did to supply and demand (drivers repositioning, riders waiting) is assumed to have faded by then (carryover).`,
    "Units are assumed not to affect one another (no interference across unit borders); drivers moving between neighbouring units, and pooling of neighbouring cells' balances across a unit border, bias the effect toward zero.",
    "Observations are clustered by unit: windows of the same unit may be correlated, different units are assumed independent.",
    "Only readings and quotes that recorded the experiment's label count: quotes priced while their zone was unreachable, and the seconds between a window's end and the next push of assignments, are left out.",
    "Revenue counts quotes verified (honoured); completion beyond verification is not known to the platform.",
  ];
  if (e.mode === "shadow")
    out.push(
      "Shadow mode charged the market's multiplier everywhere: conversion, quotes and completion cannot differ between variants, and each variant's revenue assumes riders would have converted as they did at the price charged.",
    );
  return out;
}
