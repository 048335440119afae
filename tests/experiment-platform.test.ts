import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToLatLng, gridDisk } from "h3-js";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, supplyEvents, switchbackExperiment } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";

/**
 * Pricing experiments on the running platform: an operator of a market defines one; its
 * switchback assignment reaches the zones' pricing, every reading and quote records the arm, and
 * history keeps it in Postgres, from which the results are computed — until a guardrail stops
 * the experiment. Shadow mode prices every variant beside the market's and charges the market's.
 */

let p: Platform;
const TIMES_SQUARE = cellAt(40.758, -73.9855);
const BEN_THANH = cellAt(10.7725, 106.698);
/** The cells within two rings of Times Square whose centres are in Manhattan: one unit each (unit resolution 8). */
let CROWD: Array<{ cell: string; lat: number; lng: number }> = [];

const nycOperator = () => p.as("operator", { markets: ["nyc"] });
const hcmOperator = () => p.as("operator", { markets: ["hcm"] });

function rows(sql: string): string {
  return psql(p.database.target, p.database.name, sql);
}

function experiment(patch: Record<string, unknown> = {}) {
  return switchbackExperiment("nyc", patch);
}

interface Reading {
  multiplier: number;
  explanation: { experiment?: { id: string; unit: string; window: number; variant: string; shadow?: Record<string, number> } };
}

async function reading(at: { lat: number; lng: number }): Promise<Reading> {
  return (await (await p.as("rider").fetch(`/v1/surge?lat=${at.lat}&lng=${at.lng}`)).json()) as Reading;
}

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
  const around = gridDisk(TIMES_SQUARE.cell, 2).map((cell) => {
    const [lat, lng] = cellToLatLng(cell);
    return { cell, lat, lng };
  });
  const inMarket = await Promise.all(
    around.map(async (c) => (await p.as("rider").fetch(`/v1/surge?lat=${c.lat}&lng=${c.lng}`)).status === 200),
  );
  CROWD = around.filter((_, i) => inMarket[i]);
});
afterAll(async () => {
  await p.dispose();
});

describe("defining an experiment", () => {
  test("bad definitions are refused with the field at fault, never a 5xx", async () => {
    const op = nycOperator();
    const refused = async (patch: Record<string, unknown>, field: string) => {
      const res = await op.json<{ detail: string }>("/v1/experiments/bad-one", experiment(patch), "PUT");
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.detail).toContain(field);
    };
    await refused({ burnInMinutes: 60 }, "burnInMinutes");
    await refused({ unitResolution: 9 }, "unitResolution");
    await refused({ mode: "shadow", primaryMetric: "conversion" }, "primaryMetric");
    await refused({ design: "rider" }, "variants.0.surge");
    await refused({ variants: [{ id: "only", weight: 1 }] }, "variants");
    await refused(
      {
        variants: [
          { id: "a", weight: 1, surge: { supplyWindowSeconds: 30 } },
          { id: "b", weight: 1 },
        ],
      },
      "variants.0.surge",
    );
    await refused({ to: new Date(Date.now() - 60_000).toISOString(), from: new Date(Date.now() - 120_000).toISOString() }, "to");
    expect((await op.json("/v1/experiments/Bad_Id", experiment(), "PUT")).status).toBe(422);
  });

  test("only operators of the experiment's market may define, read or stop it", async () => {
    expect((await hcmOperator().json("/v1/experiments/not-yours", experiment(), "PUT")).status).toBe(403);
    expect((await p.as("rider").json("/v1/experiments/not-yours", experiment(), "PUT")).status).toBe(403);
    const later = {
      from: new Date(Date.now() + 86_400_000).toISOString(),
      to: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    };
    const made = await nycOperator().json<{ status: string; salt?: string }>(
      "/v1/experiments/tomorrow",
      experiment(later),
      "PUT",
    );
    expect(made.status).toBe(201);
    expect(made.body.status).toBe("scheduled");
    expect(made.body.salt).toBeUndefined(); // the hash key never leaves Postgres
    expect((await hcmOperator().fetch("/v1/experiments/tomorrow")).status).toBe(403);
    // Results before any data: nothing to compare yet, said plainly.
    const empty = await nycOperator().fetch("/v1/experiments/tomorrow/results");
    expect(empty.status).toBe(200);
    const none = (await empty.json()) as {
      unitWindows: number;
      effects: Array<{ estimate: number | null; clusterRobust: unknown }>;
    };
    expect(none.unitWindows).toBe(0);
    expect(none.effects[0]).toMatchObject({ estimate: null, clusterRobust: null });
    expect((await hcmOperator().json("/v1/experiments/tomorrow/stop", {})).status).toBe(403);
    // Not started yet: it may still change; then it is stopped and may not.
    expect((await nycOperator().json("/v1/experiments/tomorrow", experiment({ ...later, name: "renamed" }), "PUT")).status).toBe(
      200,
    );
    const stopped = await nycOperator().json<{ status: string }>("/v1/experiments/tomorrow/stop", {});
    expect(stopped.body.status).toBe("stopped");
    expect((await nycOperator().json("/v1/experiments/tomorrow", experiment(later), "PUT")).status).toBe(409);
    expect(rows("select count(*) from audit_log where target = 'tomorrow'")).toBe("3");
  });
});

describe("a live switchback: surge against flat pricing, one unit per cell", () => {
  test("starts at once: each cell is priced by its unit's variant, and says so", async () => {
    const made = await nycOperator().json<{ status: string }>("/v1/experiments/surge-vs-flat", experiment(), "PUT");
    expect(made.status).toBe(201);
    expect(made.body.status).toBe("running");
    // A market runs one experiment at a time.
    const rival = await nycOperator().json<{ detail: string }>("/v1/experiments/rival", experiment(), "PUT");
    expect(rival.status).toBe(409);
    expect(rival.body.detail).toContain("surge-vs-flat");

    const partner = p.as("service");
    for (const c of CROWD) {
      await partner.json("/v1/events/supply", { events: supplyEvents(c, 1) });
      await partner.json("/v1/events/demand", { events: demandEvents(c, 30) });
    }
    const assigned = new Map<string, string>();
    for (const c of CROWD) {
      const a = await nycOperator().fetch(`/v1/experiments/surge-vs-flat/assignment?lat=${c.lat}&lng=${c.lng}`);
      const body = (await a.json()) as { unit: string; variant: string; window: { index: number }; active: boolean };
      // Deterministic: asked again (by a partner's back end), the same answer.
      const again = (await (
        await partner.fetch(`/v1/experiments/surge-vs-flat/assignment?lat=${c.lat}&lng=${c.lng}`)
      ).json()) as {
        variant: string;
      };
      expect(again.variant).toBe(body.variant);
      expect(body).toMatchObject({ unit: c.cell, window: { index: 0 }, active: true });
      assigned.set(c.cell, body.variant);
    }
    // Both arms are drawn among the units.
    expect(new Set(assigned.values()).size).toBe(2);
    for (const c of CROWD) {
      const variant = assigned.get(c.cell);
      const r = await eventually(async () => {
        const now = await reading(c);
        return now.explanation.experiment && (variant === "flat" || now.multiplier > 1) ? now : undefined;
      }, 10_000);
      expect(r.explanation.experiment).toMatchObject({
        id: "surge-vs-flat",
        unit: c.cell,
        window: 0,
        variant: variant as string,
      });
      if (variant === "flat") expect(r.multiplier).toBe(1);
      else expect(r.multiplier).toBeGreaterThan(1);
    }
    // A quote records its arm, kept in Postgres with the quote.
    const surgeCell = CROWD.find((c) => assigned.get(c.cell) === "surge") as (typeof CROWD)[number];
    const quote = await p.as("rider").json<{ quoteId: string; multiplier: number }>("/v1/quotes", {
      pickup: surgeCell,
      dropoff: { lat: 40.7069, lng: -74.0113 },
      product: "standard",
    });
    expect(quote.status).toBe(201);
    expect(quote.body.multiplier).toBeGreaterThan(1);
    const kept = await eventually(async () => {
      const row = rows(
        `select x.variant || '|' || x.unit || '|' || q.multiplier_tenths from experiment_quotes x join quotes q using (quote_id) where quote_id = '${quote.body.quoteId}'`,
      );
      return row ? row : undefined;
    }, 15_000);
    expect(kept).toBe(`surge|${surgeCell.cell}|${Math.round(quote.body.multiplier * 10)}`);
  }, 60_000);

  test("results come from Postgres; the guardrail on multipliers is breached and stops the experiment", async () => {
    // Minutes reach history once they end.
    await eventually(
      async () =>
        Number(rows("select count(distinct unit) from experiment_minutes where experiment_id = 'surge-vs-flat'")) >= CROWD.length
          ? true
          : undefined,
      100_000,
      1000,
    );
    const res = await nycOperator().fetch("/v1/experiments/surge-vs-flat/results");
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      status: string;
      stopReason: string | null;
      variants: Array<{ id: string; units: number; metrics: { multiplier: number | null } }>;
      effects: Array<{
        metric: string;
        estimate: number;
        clusterRobust: { ci: [number, number]; p: number } | null;
        permutation: { p: number } | null;
      }>;
      sampleRatio: { mismatch: boolean; counts: Record<string, number> } | null;
      guardrails: Array<{ breached: boolean }>;
      assumptions: string[];
    };
    const flat = r.variants.find((v) => v.id === "flat");
    const surge = r.variants.find((v) => v.id === "surge");
    expect(flat?.metrics.multiplier).toBe(1);
    expect(surge?.metrics.multiplier).toBeGreaterThan(1);
    expect((flat?.units ?? 0) + (surge?.units ?? 0)).toBeGreaterThanOrEqual(CROWD.length);
    const [effect] = r.effects;
    expect(effect?.metric).toBe("multiplier");
    expect(effect?.estimate).toBeGreaterThan(0);
    expect(effect?.clusterRobust?.ci[0]).toBeGreaterThan(0);
    expect(effect?.permutation?.p).toBeLessThan(0.05);
    expect(r.sampleRatio?.mismatch).toBe(false);
    expect(r.assumptions.length).toBeGreaterThan(3);
    expect(r.guardrails[0]?.breached).toBe(true);
    expect(r.status).toBe("stopped");
    expect(r.stopReason).toContain("guardrail");
    expect(rows("select kind || '|' || subject from failure_events where kind = 'experiment'")).toBe(
      "experiment|experiment:surge-vs-flat",
    );
    // Stopped: every cell is back on the market's settings, and no longer labelled.
    await eventually(async () => ((await reading(TIMES_SQUARE)).explanation.experiment === undefined ? true : undefined), 10_000);
  }, 150_000);
});

describe("a shadow experiment", () => {
  test("computes every variant beside the market's multiplier, charges the market's, and records what each would have charged", async () => {
    const made = await hcmOperator().json(
      "/v1/experiments/hcm-steeper",
      experiment({
        market: "hcm",
        mode: "shadow",
        variants: [
          { id: "control", weight: 1 },
          { id: "steeper", weight: 1, surge: { sensitivity: 3, cap: 9 } },
        ],
        primaryMetric: "revenue",
        guardrails: [],
      }),
      "PUT",
    );
    expect(made.status).toBe(201);
    const partner = p.as("service");
    await partner.json("/v1/events/supply", { events: supplyEvents(BEN_THANH, 2) });
    await partner.json("/v1/events/demand", { events: demandEvents(BEN_THANH, 12) });
    const r = await eventually(async () => {
      const now = await reading(BEN_THANH);
      const shadow = now.explanation.experiment?.shadow;
      return shadow && now.multiplier > 1 && (shadow.steeper ?? 0) > now.multiplier ? now : undefined;
    }, 10_000);
    // Charged: the market's own multiplier, which the control variant (the market's settings) equals; never above the cap.
    expect(r.explanation.experiment?.shadow?.control).toBe(r.multiplier);
    expect(r.explanation.experiment?.shadow?.steeper).toBeLessThanOrEqual(2.5);
    const quote = await p.as("rider").json<{ quoteId: string; multiplier: number; total: number }>("/v1/quotes", {
      pickup: BEN_THANH,
      dropoff: { lat: 10.7769, lng: 106.7009 },
      product: "car",
    });
    expect(quote.status).toBe(201);
    const shadow = await eventually(async () => {
      const row = rows(`select shadow::text from experiment_quotes where quote_id = '${quote.body.quoteId}'`);
      return row ? (JSON.parse(row) as Record<string, { multiplierTenths: number; total: number }>) : undefined;
    }, 15_000);
    expect(shadow.control?.total).toBe(quote.body.total);
    expect(shadow.steeper?.total).toBeGreaterThan(quote.body.total);

    const stopped = await hcmOperator().json<{ status: string }>("/v1/experiments/hcm-steeper/stop", {});
    expect(stopped.body.status).toBe("stopped");
    await eventually(async () => ((await reading(BEN_THANH)).explanation.experiment === undefined ? true : undefined), 10_000);
  }, 60_000);
});
