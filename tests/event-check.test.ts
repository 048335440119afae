import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DemandEventSchema, quickDemandEvent, quickSupplyEvent, SupplyEventSchema } from "../shared/contracts/api";

/**
 * The ingest hot path checks each event by hand; the zod schemas stay the contract. For any
 * input — well-formed events, events with one field wrong, and arbitrary JSON — the quick check
 * accepts exactly what the schema accepts, and yields the same event.
 */

const text = fc.oneof(
  fc.string({ minLength: 0, maxLength: 140, unit: "grapheme" }),
  fc.string({ minLength: 1, maxLength: 130, unit: "binary" }), // lone surrogates, controls, NUL
  fc.constantFrom("", "a", "x".repeat(128), "x".repeat(129), "nul\u0000", "\u007f", "\ud800", "😀".repeat(64), "😀".repeat(65)),
);
const coordinate = fc.oneof(
  fc.double({ noNaN: false }),
  fc.constantFrom(-90, 90, -180, 180, 90.0000001, -180.0000001, 0, Number.NaN, Number.POSITIVE_INFINITY),
  fc.integer(),
);
const stamp = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    "2026-12-01T05:03:01Z",
    "2026-12-01T05:03:01.123+01:00",
    "2026-12-01T05:03:01+0100",
    "2026-12-01T05:03Z",
    "2026-12-01 05:03:01Z",
    "2026-02-30T00:00:00Z",
    "2026-12-01T24:00:00Z",
    "2026-12-01T05:03:01",
    "",
  ),
  fc.integer({ min: -2, max: 2 ** 53 + 2 }),
  fc.double(),
  fc.constantFrom(1, 0, -1, 2 ** 53 - 1, 2 ** 53, 1.5),
);
const anything = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string(),
  fc.array(fc.integer()),
  fc.object(),
);

function event(fields: Record<string, fc.Arbitrary<unknown>>) {
  // Each field: a good value most of the time, sometimes missing, sometimes anything at all.
  const shaped = Object.fromEntries(
    Object.entries(fields).map(([k, good]) => [
      k,
      fc.oneof(
        { weight: 6, arbitrary: good },
        { weight: 1, arbitrary: anything },
        { weight: 1, arbitrary: fc.constant(Symbol.for("missing")) },
      ),
    ]),
  );
  return fc.record(shaped).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== Symbol.for("missing"))));
}

const supply = event({
  eventId: text,
  driverId: text,
  lat: coordinate,
  lng: coordinate,
  status: fc.constantFrom("available", "busy", "offline", "Available", ""),
  at: stamp,
});
const demand = event({
  eventId: text,
  riderId: text,
  lat: coordinate,
  lng: coordinate,
  kind: fc.constantFrom("search", "request", "Request"),
  at: stamp,
});
const inputs = (shape: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof({ weight: 8, arbitrary: shape }, { weight: 1, arbitrary: anything }, { weight: 1, arbitrary: fc.jsonValue() });

describe("the ingest hot path's check agrees with the schema", () => {
  test("supply: the same events accepted, the same refused, the same value", () => {
    fc.assert(
      fc.property(inputs(supply), (raw) => {
        const parsed = SupplyEventSchema.safeParse(raw);
        const quick = quickSupplyEvent(raw);
        expect(quick !== undefined).toBe(parsed.success);
        if (quick) expect(quick).toEqual(parsed.data as typeof quick);
      }),
      { numRuns: 5_000 },
    );
  });

  test("demand: the same events accepted, the same refused, the same value", () => {
    fc.assert(
      fc.property(inputs(demand), (raw) => {
        const parsed = DemandEventSchema.safeParse(raw);
        const quick = quickDemandEvent(raw);
        expect(quick !== undefined).toBe(parsed.success);
        if (quick) expect(quick).toEqual(parsed.data as typeof quick);
      }),
      { numRuns: 5_000 },
    );
  });

  test("well-formed events pass the quick check (the hot path is the common path)", () => {
    const at = new Date().toISOString();
    expect(quickSupplyEvent({ eventId: "e1", driverId: "d1", lat: 40.7, lng: -73.9, status: "available", at })).toBeDefined();
    expect(quickDemandEvent({ eventId: "e2", lat: 40.7, lng: -73.9, kind: "request", at: Date.now() })).toBeDefined();
    expect(quickDemandEvent({ eventId: "漢字😀", riderId: "r", lat: 10.77, lng: 106.7, kind: "search", at })).toBeDefined();
  });
});
