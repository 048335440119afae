import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { cellToChildren, cellToParent, latLngToCell } from "h3-js";
import { type SurgeSettings, SurgeSettingsSchema } from "../shared/pricing/market";
import { type PricingPolicy, surgeCurve, withOverrides } from "../shared/pricing/policy";
import { effectiveCap } from "../shared/pricing/surge";
import { ZoneState } from "../shared/pricing/zone-state";

/**
 * The pricing seam: a zone prices through a policy. The default is the surge curve; another
 * policy, or inputs such as an experiment's variant, can change how a balance becomes a
 * multiplier — and none of them can lift it above the market's cap or an operator's.
 */

const DEFAULTS: SurgeSettings = SurgeSettingsSchema.parse({});
const T0 = Date.UTC(2026, 11, 1, 18);
const CELL = latLngToCell(40.758, -73.9855, 8);
const OWN: ReadonlySet<string> = new Set(cellToChildren(cellToParent(CELL, 6), 8));

/** A crowd in one cell, and the zone ticked until it settles. */
function crowd(state: ZoneState, requests = 40, drivers = 4): number {
  for (let i = 0; i < requests; i++) state.applyDemand(CELL, 1, T0, T0);
  for (let i = 0; i < drivers; i++) state.applySupply(`d${i}`, CELL, true, T0, T0);
  let now = T0;
  for (let i = 0; i < 60; i++) {
    now += 200;
    state.tick(now);
  }
  return state.reading(CELL, now).shownTenths;
}

describe("the pricing seam", () => {
  test("a zone prices through its policy: the surge curve by default, another when one is plugged in", () => {
    const calls: string[] = [];
    const flat: PricingPolicy = {
      name: "flat-1.5",
      update: (input) => {
        calls.push(input.cell);
        const base = surgeCurve.update(input);
        return { ...base, smoothed: 1.5, shownTenths: 15, explanation: { ...base.explanation, shown: 1.5 } };
      },
    };
    expect(crowd(new ZoneState(OWN, DEFAULTS))).toBeGreaterThan(15);
    expect(crowd(new ZoneState(OWN, DEFAULTS, undefined, flat))).toBe(15);
    expect(calls).toContain(CELL);
  });

  test("an experiment's variant reaches the policy as inputs, for one cell or the whole zone", () => {
    const gentle = new ZoneState(OWN, DEFAULTS);
    gentle.setInputs("experiment:gentle", { cells: { [CELL]: { settings: { sensitivity: 0.1 } } } });
    const sharp = new ZoneState(OWN, DEFAULTS);
    sharp.setInputs("experiment:sharp", { zone: { settings: { sensitivity: 2 } } });
    const control = crowd(new ZoneState(OWN, DEFAULTS));
    expect(crowd(gentle)).toBeLessThan(control);
    expect(crowd(sharp)).toBeGreaterThanOrEqual(control);
  });

  test("whatever a variant asks, the multiplier stays under the market's cap and the operator's", () => {
    fc.assert(
      fc.property(
        fc.record({
          cap: fc.double({ min: 1, max: 10, noNaN: true }),
          sensitivity: fc.double({ min: 0.01, max: 10, noNaN: true }),
          exponent: fc.double({ min: 0.25, max: 3, noNaN: true }),
        }),
        fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: undefined }),
        fc.integer({ min: 5, max: 200 }),
        (variant, emergency, requests) => {
          const market = { ...DEFAULTS, cap: 2.5 };
          const state = new ZoneState(OWN, market, emergency);
          state.setInputs("experiment:any", { cells: { [CELL]: { settings: variant } } });
          const tenths = crowd(state, requests, 1);
          expect(tenths / 10).toBeLessThanOrEqual(effectiveCap(market, emergency));
          expect(withOverrides(market, variant).cap).toBeLessThanOrEqual(market.cap);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("inputs end when their source says so, and sources merge field by field", () => {
    const state = new ZoneState(OWN, DEFAULTS);
    state.setInputs("forecast", { zone: { forecast: { demand: 12, horizonMinutes: 30, modelId: "m1" } }, until: T0 + 60_000 });
    state.setInputs("experiment:e1", { cells: { [CELL]: { settings: { sensitivity: 1 } } } });
    expect(state.inputsFor(CELL, T0)).toEqual({
      forecast: { demand: 12, horizonMinutes: 30, modelId: "m1" },
      settings: { sensitivity: 1 },
    });
    expect(state.inputsFor(CELL, T0 + 60_000)).toEqual({ settings: { sensitivity: 1 } });
    state.setInputs("experiment:e1", undefined);
    expect(state.inputsFor(CELL, T0)).toEqual({});
  });

  test("a cap the caller knows of binds the reading at once, before the next tick", () => {
    const state = new ZoneState(OWN, DEFAULTS);
    const before = crowd(state);
    expect(before).toBeGreaterThan(15);
    const capped = state.reading(CELL, T0 + 20_000, 1.5);
    expect(capped.shownTenths).toBe(15);
    expect(capped.explanation).toMatchObject({ shown: 1.5, capApplied: "emergency", cap: 1.5 });
    // Without it, the reading is what the zone computed.
    expect(state.reading(CELL, T0 + 20_000).shownTenths).toBe(before);
  });
});
