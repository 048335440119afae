import { describe, expect, test } from "bun:test";
import { analyse, type UnitWindowRow } from "../shared/experiments/analysis";
import type { StoredExperiment } from "../shared/experiments/assignment";
import { storedExperiment } from "./support/experiment";

/**
 * Results from recorded unit-windows: the metrics per variant, the effect with both methods,
 * the sample-ratio check and guardrails, on data small enough to follow by hand.
 */

function experiment(patch: Record<string, unknown> = {}): StoredExperiment {
  return storedExperiment(
    {
      variants: [
        { id: "control", weight: 1 },
        { id: "steep", weight: 1, surge: { sensitivity: 1.2 } },
      ],
      primaryMetric: "conversion",
      ...patch,
    },
    { id: "steep" },
  );
}

function row(unit: string, window: number, variant: string, patch: Partial<UnitWindowRow> = {}): UnitWindowRow {
  return {
    unit,
    window,
    variant,
    searches: 10,
    requests: 5,
    quotes: 10,
    verified: 5,
    revenue: 5000,
    revenueAtOne: 4000,
    cellMinutes: 25,
    multiplierSum: 30,
    ...patch,
  };
}

describe("results of a live switchback", () => {
  // Four units, each seen once in each arm; requests out of 10 searches: control 1,3,2,2 and steep 4,4,6,2 —
  // the four-unit example of the statistics test, as conversions: effect 0.2, se 0.098601, p 0.1356.
  const rows = [
    [1, 4],
    [3, 4],
    [2, 6],
    [2, 2],
  ].flatMap(([c, s], u) => [
    row(`u${u}`, 0, "control", { requests: c as number }),
    row(`u${u}`, 1, "steep", { requests: s as number }),
  ]);

  test("per variant: unit-windows, units and every metric as a ratio of sums", () => {
    const r = analyse(experiment(), rows);
    const steep = r.variants.find((v) => v.id === "steep");
    expect(steep).toMatchObject({ unitWindows: 4, units: 4 });
    expect(steep?.metrics.conversion).toBeCloseTo(16 / 40, 12);
    expect(steep?.metrics.multiplier).toBeCloseTo(1.2, 12);
    expect(steep?.metrics.revenue).toBe(5000);
    expect(r.unitWindows).toBe(8);
  });

  test("the effect on the primary metric, by clustered t and by permutation, with stated assumptions", () => {
    const r = analyse(experiment(), rows);
    const [effect] = r.effects;
    expect(effect).toMatchObject({ variant: "steep", control: "control", metric: "conversion" });
    expect(effect?.estimate).toBeCloseTo(0.2, 12);
    expect(effect?.relative).toBeCloseTo(1, 12);
    expect(effect?.clusterRobust?.se).toBeCloseTo(0.098601, 5);
    expect(effect?.clusterRobust?.p).toBeCloseTo(0.13556, 4);
    // 8 unit-windows, 4 in each arm: all 70 arrangements are enumerated.
    expect(effect?.permutation).toMatchObject({ permutations: 70, exact: true });
    expect(effect?.permutation?.p).toBeGreaterThan(0.05);
    expect(r.assumptions.join(" ")).toContain("first 5 minutes of every window are dropped");
    expect(r.method.clusterRobust).toContain("clustered by unit");
  });

  test("a fair split passes the sample-ratio check; a lost arm fails it", () => {
    expect(analyse(experiment(), rows).sampleRatio?.mismatch).toBe(false);
    const lopsided = [
      ...Array.from({ length: 300 }, (_, i) => row(`u${i % 30}`, i, "control")),
      ...Array.from({ length: 200 }, (_, i) => row(`u${i % 30}`, 1000 + i, "steep")),
    ];
    const check = analyse(experiment(), lopsided).sampleRatio;
    expect(check?.counts).toEqual({ control: 300, steep: 200 });
    expect(check?.mismatch).toBe(true);
  });

  test("a guardrail is breached only when the variant is surely worse than its tolerance", () => {
    // Twenty units; the steep arm converts clearly less (2 of 10 against 6 of 10), with a little noise.
    const many = Array.from({ length: 20 }, (_, u) => [
      row(`u${u}`, 0, "control", { requests: 6 + (u % 2) }),
      row(`u${u}`, 1, "steep", { requests: 2 + (u % 3 === 0 ? 1 : 0) }),
    ]).flat();
    const guarded = experiment({ guardrails: [{ metric: "conversion", worseIf: "lower", tolerance: 0.1 }] });
    const r = analyse(guarded, many);
    expect(r.guardrails[0]?.breached).toBe(true);
    expect(r.breached?.metric).toBe("conversion");
    // Tolerating a 90% drop, the same data breach nothing; nor does "worse if higher".
    expect(
      analyse(experiment({ guardrails: [{ metric: "conversion", worseIf: "lower", tolerance: 0.9 }] }), many).breached,
    ).toBeNull();
    expect(
      analyse(experiment({ guardrails: [{ metric: "conversion", worseIf: "higher", tolerance: 0 }] }), many).breached,
    ).toBeNull();
    // Too few units to judge: never breached.
    expect(analyse(guarded, many.slice(0, 4)).guardrails[0]?.breached).toBe(false);
  });
});

describe("results of a shadow experiment", () => {
  test("variants priced side by side in each unit-window are compared pairwise; no split to check, nothing stops", () => {
    const rows: UnitWindowRow[] = [];
    for (let u = 0; u < 6; u++)
      for (let w = 0; w < 5; w++) {
        const base = 25 + 5 * ((u * 7 + w * 3) % 4);
        rows.push(row(`u${u}`, w, "control", { multiplierSum: base }));
        rows.push(row(`u${u}`, w, "steep", { multiplierSum: base + 5 }));
      }
    const r = analyse(
      experiment({
        mode: "shadow",
        primaryMetric: "multiplier",
        guardrails: [{ metric: "multiplier", worseIf: "higher", tolerance: 0 }],
      }),
      rows,
    );
    expect(r.effects[0]?.estimate).toBeCloseTo(0.2, 12);
    expect(r.effects[0]?.permutation?.p).toBeLessThan(0.01);
    expect(r.sampleRatio).toBeNull();
    expect(r.guardrails[0]?.breached).toBe(true);
    expect(r.breached).toBeNull();
    expect(r.assumptions.join(" ")).toContain("Shadow mode charged the market's multiplier");
  });
});
