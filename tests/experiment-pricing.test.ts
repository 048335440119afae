import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { cellToChildren, cellToParent, latLngToCell } from "h3-js";
import { VariantSettingsSchema } from "../shared/contracts/experiments";
import { labelAt, type StoredExperiment, zoneInputs } from "../shared/experiments/assignment";
import { type SurgeSettings, SurgeSettingsSchema } from "../shared/pricing/market";
import { priceQuote, type QuotePricing } from "../shared/pricing/quote";
import { effectiveCap } from "../shared/pricing/surge";
import { ZoneState } from "../shared/pricing/zone-state";
import { storedExperiment } from "./support/experiment";

/**
 * An experiment's variants reach pricing through the seam. Live, the variant drawn for a cell's
 * unit and window prices it; shadow, every variant is priced beside the market's multiplier and
 * recorded, and the market's is the one charged. Whatever a variant asks, no multiplier — charged
 * or shadow — rises above the market's cap or an operator's.
 */

const DEFAULTS: SurgeSettings = SurgeSettingsSchema.parse({});
const T0 = Date.UTC(2026, 11, 1, 18);
const CELL = latLngToCell(40.758, -73.9855, 8);
const OWN = cellToChildren(cellToParent(CELL, 6), 8);

function experiment(variants: unknown[], mode: "live" | "shadow", salt = "s1"): StoredExperiment {
  const from = new Date(T0).toISOString();
  const to = new Date(T0 + 86_400_000).toISOString();
  return storedExperiment(
    { windowMinutes: 10, burnInMinutes: 2, unitResolution: 8, variants, mode, from, to },
    { id: "curve", salt },
  );
}

/** A crowd in the cell, ticked every 200 ms for `seconds`; the readings of every tick. */
function crowd(state: ZoneState, requests: number, drivers: number, seconds = 12) {
  for (let i = 0; i < requests; i++) state.applyDemand(CELL, 1, T0, T0);
  for (let i = 0; i < drivers; i++) state.applySupply(`d${i}`, CELL, true, T0, T0);
  const readings = [];
  for (let now = T0 + 200; now <= T0 + seconds * 1000; now += 200) {
    state.tick(now);
    readings.push(state.reading(CELL, now));
  }
  return readings;
}

function pricing(cap: number, emergencyCap?: number): QuotePricing {
  return {
    quoteId: "q1",
    market: { id: "nyc", currency: "USD", cap },
    product: { id: "standard", baseFare: 250, perKm: 120, perMinute: 30, minimumFare: 800, bookingFee: 200 },
    trip: { distanceMeters: 4000, durationSeconds: 600 },
    cell: CELL,
    zone: cellToParent(CELL, 6),
    issuedAt: T0,
    expiresAt: T0 + 300_000,
    emergencyCap,
  };
}

describe("a live switchback", () => {
  test("prices each cell with its unit's variant and says so in the reading and the quote", () => {
    const e = experiment(
      [
        { id: "control", weight: 1 },
        { id: "steep", weight: 1, surge: { sensitivity: 3 } },
      ],
      "live",
    );
    // Find a salt whose draw puts the cell in the steep arm, and one for control: both arms are real.
    const salts = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const steepSalt = salts.find((s) => labelAt({ ...e, salt: s }, { cell: CELL }, T0)?.variant === "steep") as string;
    const controlSalt = salts.find((s) => labelAt({ ...e, salt: s }, { cell: CELL }, T0)?.variant === "control") as string;
    const run = (salt: string) => {
      const state = new ZoneState(new Set(OWN), DEFAULTS);
      state.setInputs("experiment:curve", zoneInputs({ ...e, salt }, OWN, T0));
      return crowd(state, 12, 4).at(-1);
    };
    const steep = run(steepSalt);
    const control = run(controlSalt);
    expect(steep?.shownTenths).toBeGreaterThan(control?.shownTenths as number);
    expect(steep?.explanation.experiment).toMatchObject({ id: "curve", variant: "steep", unit: CELL, window: 0, mode: "live" });
    expect(control?.explanation.experiment?.variant).toBe("control");
    const quoted = priceQuote(pricing(DEFAULTS.cap), steep?.shownTenths as number, steep?.explanation.experiment);
    expect(quoted.record.experiment).toEqual({ id: "curve", mode: "live", unit: CELL, window: 0, variant: "steep" });
    expect(quoted.record.multiplierTenths).toBe(steep?.shownTenths as number);
  });

  test("when the window's inputs end the cell goes back to the market's settings and carries no label", () => {
    const e = experiment(
      [
        { id: "a", weight: 1, surge: { sensitivity: 3 } },
        { id: "b", weight: 1, surge: { sensitivity: 3 } },
      ],
      "live",
    );
    const state = new ZoneState(new Set(OWN), DEFAULTS);
    const inputs = zoneInputs(e, OWN, T0);
    state.setInputs("experiment:curve", { ...inputs, until: T0 + 5_000 });
    const readings = crowd(state, 12, 4, 10);
    expect(readings[0]?.explanation.experiment?.id).toBe("curve");
    expect(readings.at(-1)?.explanation.experiment).toBeUndefined();
  });
});

describe("a shadow experiment", () => {
  test("computes every variant beside the market's multiplier, which is the one charged", () => {
    const e = experiment(
      [
        { id: "control", weight: 1 },
        { id: "steep", weight: 1, surge: { sensitivity: 3 } },
        { id: "flat", weight: 1, surge: { enabled: false } },
      ],
      "shadow",
    );
    const market = new ZoneState(new Set(OWN), DEFAULTS);
    const shadowed = new ZoneState(new Set(OWN), DEFAULTS);
    shadowed.setInputs("experiment:curve", zoneInputs(e, OWN, T0));
    const plain = crowd(market, 12, 4).at(-1);
    const last = crowd(shadowed, 12, 4).at(-1);
    // Charged: exactly what the market alone would have charged.
    expect(last?.shownTenths).toBe(plain?.shownTenths as number);
    const shadow = last?.explanation.experiment?.shadow ?? {};
    expect(shadow.control).toBe((plain?.shownTenths as number) / 10);
    expect(shadow.steep).toBeGreaterThan(shadow.control as number);
    expect(shadow.flat).toBe(1);
    const quoted = priceQuote(pricing(DEFAULTS.cap), last?.shownTenths as number, last?.explanation.experiment);
    expect(quoted.record.multiplierTenths).toBe(plain?.shownTenths as number);
    expect(quoted.record.experiment?.shadow?.steep?.multiplierTenths).toBe(Math.round((shadow.steep as number) * 10));
    expect(quoted.record.experiment?.shadow?.flat?.total).toBe(quoted.record.totalAtOne);
  });
});

describe("no experiment lifts a multiplier above a cap", () => {
  const variantSettings = fc.record(
    {
      cap: fc.double({ min: 1, max: 10, noNaN: true }),
      sensitivity: fc.double({ min: 0.01, max: 10, noNaN: true }),
      exponent: fc.double({ min: 0.25, max: 3, noNaN: true }),
      deadband: fc.double({ min: 0, max: 5, noNaN: true }),
      maxStepUp: fc.double({ min: 0.01, max: 10, noNaN: true }),
      smoothing: fc.double({ min: 0.01, max: 1, noNaN: true }),
      priorWeight: fc.double({ min: 0, max: 1000, noNaN: true }),
      minDemand: fc.double({ min: 0, max: 100, noNaN: true }),
      enabled: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  test("live or shadow, every variant, every tick, the quote too: under the market's cap and an operator's", () => {
    fc.assert(
      fc.property(
        fc.array(variantSettings, { minLength: 2, maxLength: 4 }),
        fc.constantFrom<"live" | "shadow">("live", "shadow"),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: undefined }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 5 }),
        fc.string({ maxLength: 6 }),
        (variants, mode, marketCap, emergency, requests, drivers, salt) => {
          // Each variant is what the API would accept.
          for (const v of variants) expect(VariantSettingsSchema.safeParse(v).success).toBe(true);
          const e = experiment(
            variants.map((surge, i) => ({ id: `v${i}`, weight: 1, surge })),
            mode,
            salt,
          );
          const market = { ...DEFAULTS, cap: marketCap };
          const state = new ZoneState(new Set(OWN), market, emergency);
          state.setInputs("experiment:curve", zoneInputs(e, OWN, T0));
          const cap = effectiveCap(market, emergency);
          for (const r of crowd(state, requests, drivers, 6)) {
            expect(r.shownTenths / 10).toBeLessThanOrEqual(cap);
            for (const m of Object.values(r.explanation.experiment?.shadow ?? {})) expect(m).toBeLessThanOrEqual(cap);
            const quoted = priceQuote(pricing(marketCap, emergency), r.shownTenths, r.explanation.experiment);
            expect(quoted.record.multiplierTenths / 10).toBeLessThanOrEqual(cap);
            for (const s of Object.values(quoted.record.experiment?.shadow ?? {}))
              expect(s.multiplierTenths / 10).toBeLessThanOrEqual(cap);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  test("an operator's cap declared mid-run binds the shadow variants too", () => {
    const e = experiment(
      [
        { id: "a", weight: 1, surge: { sensitivity: 5 } },
        { id: "b", weight: 1, surge: { sensitivity: 8, cap: 10 } },
      ],
      "shadow",
    );
    const state = new ZoneState(new Set(OWN), DEFAULTS);
    state.setInputs("experiment:curve", zoneInputs(e, OWN, T0));
    const before = crowd(state, 60, 1).at(-1);
    expect(Math.max(...Object.values(before?.explanation.experiment?.shadow ?? {}))).toBeGreaterThan(1.5);
    state.setCaps([{ cap: 1.5, cells: null, until: T0 + 3_600_000 }], T0 + 12_000);
    state.tick(T0 + 12_200);
    const after = state.reading(CELL, T0 + 12_200);
    expect(after.shownTenths).toBeLessThanOrEqual(15);
    for (const m of Object.values(after.explanation.experiment?.shadow ?? {})) expect(m).toBeLessThanOrEqual(1.5);
  });
});
