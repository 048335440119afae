import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { LatLng, TripModel } from "../shared/pricing/trip";
import { estimateTrip, greatCircleMeters } from "../shared/pricing/trip";

const EARTH_RADIUS_METERS = 6_371_008.8;
const HALF_CIRCUMFERENCE = Math.PI * EARTH_RADIUS_METERS;

const JFK: LatLng = { lat: 40.6413, lng: -73.7781 };
const LAX: LatLng = { lat: 33.9416, lng: -118.4085 };
const BEN_THANH_MARKET: LatLng = { lat: 10.7725, lng: 106.698 };
const TAN_SON_NHAT_AIRPORT: LatLng = { lat: 10.8185, lng: 106.6588 };

const HCMC_MODEL: TripModel = { detourFactor: 1.35, speedKmh: 22 };

const latLngArb: fc.Arbitrary<LatLng> = fc.record({
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lng: fc.double({ min: -180, max: 180, noNaN: true }),
});

// Points crowding the poles and the antimeridian, where naive haversine code
// loses precision (sin(π − ε), cos(π/2 − ε)).
const edgeLatLngArb: fc.Arbitrary<LatLng> = fc.record({
  lat: fc.oneof(
    fc.double({ min: 89.999, max: 90, noNaN: true }),
    fc.double({ min: -90, max: -89.999, noNaN: true }),
    fc.double({ min: -90, max: 90, noNaN: true }),
  ),
  lng: fc.oneof(
    fc.double({ min: 179.999, max: 180, noNaN: true }),
    fc.double({ min: -180, max: -179.999, noNaN: true }),
    fc.double({ min: -180, max: 180, noNaN: true }),
  ),
});

/** Relative slack for float rounding in the haversine. */
const RELATIVE_TOLERANCE = 1e-6;

describe("greatCircleMeters examples", () => {
  test("JFK → LAX ≈ 3,974 km (within 0.5%)", () => {
    const d = greatCircleMeters(JFK, LAX);
    expect(Math.abs(d - 3_974_000) / 3_974_000).toBeLessThan(0.005);
  });

  test("one degree along a meridian is R·π/180", () => {
    const d = greatCircleMeters({ lat: 10, lng: 106.7 }, { lat: 11, lng: 106.7 });
    expect(d).toBeCloseTo(111_195.08, 1);
  });

  test("one degree along the equator equals one degree of latitude", () => {
    const d = greatCircleMeters({ lat: 0, lng: -74 }, { lat: 0, lng: -73 });
    expect(d).toBeCloseTo(111_195.08, 1);
  });

  test("antipodes are half a circumference apart", () => {
    expect(greatCircleMeters({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBeCloseTo(HALF_CIRCUMFERENCE, 3);
    expect(greatCircleMeters({ lat: 90, lng: 0 }, { lat: -90, lng: 0 })).toBeCloseTo(HALF_CIRCUMFERENCE, 3);
  });

  test("equator to pole is a quarter circumference", () => {
    expect(greatCircleMeters({ lat: 0, lng: 42 }, { lat: 90, lng: -7 })).toBeCloseTo(HALF_CIRCUMFERENCE / 2, 3);
  });

  test("crossing the antimeridian takes the short way", () => {
    const d = greatCircleMeters({ lat: 0, lng: 179.5 }, { lat: 0, lng: -179.5 });
    expect(d).toBeCloseTo(111_195.08, 1);
  });

  test.each([
    [{ lat: 91, lng: 0 }],
    [{ lat: -90.0001, lng: 0 }],
    [{ lat: 0, lng: 180.5 }],
    [{ lat: Number.NaN, lng: 0 }],
    [{ lat: 0, lng: Number.POSITIVE_INFINITY }],
    // lat/lng swapped by mistake for a Ho Chi Minh City point
    [{ lat: 106.698, lng: 10.7725 }],
  ])("rejects %p", (bad) => {
    expect(() => greatCircleMeters(bad, JFK)).toThrow(RangeError);
    expect(() => greatCircleMeters(JFK, bad)).toThrow(RangeError);
  });
});

describe("greatCircleMeters properties", () => {
  test("zero for the same point", () => {
    fc.assert(
      fc.property(latLngArb, (p) => {
        expect(greatCircleMeters(p, { ...p })).toBe(0);
      }),
    );
  });

  test("symmetric", () => {
    fc.assert(
      fc.property(latLngArb, latLngArb, (a, b) => {
        expect(greatCircleMeters(a, b)).toBe(greatCircleMeters(b, a));
      }),
      { numRuns: 1000 },
    );
  });

  test("between 0 and half a circumference", () => {
    fc.assert(
      fc.property(latLngArb, latLngArb, (a, b) => {
        const d = greatCircleMeters(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(HALF_CIRCUMFERENCE * (1 + 1e-12));
      }),
      { numRuns: 1000 },
    );
  });

  test("triangle inequality", () => {
    fc.assert(
      fc.property(latLngArb, latLngArb, latLngArb, (a, b, c) => {
        const direct = greatCircleMeters(a, c);
        const viaB = greatCircleMeters(a, b) + greatCircleMeters(b, c);
        expect(direct).toBeLessThanOrEqual(viaB * (1 + RELATIVE_TOLERANCE));
      }),
      { numRuns: 2000 },
    );
  });

  test("triangle inequality near the poles and the antimeridian", () => {
    fc.assert(
      fc.property(edgeLatLngArb, edgeLatLngArb, edgeLatLngArb, (a, b, c) => {
        const direct = greatCircleMeters(a, c);
        const viaB = greatCircleMeters(a, b) + greatCircleMeters(b, c);
        expect(direct).toBeLessThanOrEqual(viaB * (1 + RELATIVE_TOLERANCE));
      }),
      { numRuns: 5000 },
    );
  });

  test("symmetric near the poles and the antimeridian", () => {
    fc.assert(
      fc.property(edgeLatLngArb, edgeLatLngArb, (a, b) => {
        expect(greatCircleMeters(a, b)).toBe(greatCircleMeters(b, a));
      }),
      { numRuns: 2000 },
    );
  });

  test("short hop across the antimeridian near a pole", () => {
    // Same latitude ~1e-9° from the pole, opposite meridians: the path goes
    // over the pole, 2 × offset of arc ≈ 0.222 mm.
    const lat = 90 - 1e-9;
    const offsetDegrees = 90 - lat; // exact; not quite 1e-9 after rounding
    const d = greatCircleMeters({ lat, lng: 0 }, { lat, lng: 180 });
    const expected = 2 * offsetDegrees * (HALF_CIRCUMFERENCE / 180);
    expect(Math.abs(d - expected) / expected).toBeLessThan(1e-9);
  });

  test("triangle inequality for nearby points (city scale)", () => {
    const nearHcmc = fc.record({
      lat: fc.double({ min: 10.6, max: 11, noNaN: true }),
      lng: fc.double({ min: 106.5, max: 106.9, noNaN: true }),
    });
    fc.assert(
      fc.property(nearHcmc, nearHcmc, nearHcmc, (a, b, c) => {
        const direct = greatCircleMeters(a, c);
        const viaB = greatCircleMeters(a, b) + greatCircleMeters(b, c);
        expect(direct).toBeLessThanOrEqual(viaB * (1 + RELATIVE_TOLERANCE));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("estimateTrip", () => {
  test("0.01° of latitude, detour 1.4, 30 km/h", () => {
    // 1111.95 m × 1.4 = 1556.73 → 1557 m; 1557 m / (30/3.6 m/s) = 186.84 → 187 s
    expect(estimateTrip({ lat: 10.77, lng: 106.7 }, { lat: 10.78, lng: 106.7 }, { detourFactor: 1.4, speedKmh: 30 })).toEqual({
      distanceMeters: 1557,
      durationSeconds: 187,
    });
  });

  test("Ben Thanh Market → Tan Son Nhat airport", () => {
    // ≈ 6.67 km as the crow flies × 1.35 ≈ 9.0 km; at 22 km/h ≈ 24.6 min.
    const trip = estimateTrip(BEN_THANH_MARKET, TAN_SON_NHAT_AIRPORT, HCMC_MODEL);
    expect(trip.distanceMeters).toBe(9005);
    expect(trip.durationSeconds).toBe(1474); // 9005 × 3.6 / 22 = 1473.5…
  });

  test("same pickup and dropoff is a zero trip", () => {
    expect(estimateTrip(JFK, JFK, HCMC_MODEL)).toEqual({
      distanceMeters: 0,
      durationSeconds: 0,
    });
  });

  test.each([
    [{ detourFactor: 0.9, speedKmh: 30 }],
    [{ detourFactor: Number.NaN, speedKmh: 30 }],
    [{ detourFactor: Number.POSITIVE_INFINITY, speedKmh: 30 }],
    [{ detourFactor: 1.3, speedKmh: 0 }],
    [{ detourFactor: 1.3, speedKmh: -20 }],
    [{ detourFactor: 1.3, speedKmh: Number.NaN }],
  ])("rejects model %p", (model) => {
    expect(() => estimateTrip(JFK, LAX, model)).toThrow(RangeError);
  });

  const modelArb: fc.Arbitrary<TripModel> = fc.record({
    detourFactor: fc.double({ min: 1, max: 3, noNaN: true }),
    speedKmh: fc.double({ min: 5, max: 120, noNaN: true }),
  });

  test("integers within half a unit of the continuous estimate", () => {
    fc.assert(
      fc.property(latLngArb, latLngArb, modelArb, (a, b, model) => {
        const { distanceMeters, durationSeconds } = estimateTrip(a, b, model);
        expect(Number.isSafeInteger(distanceMeters)).toBe(true);
        expect(Number.isSafeInteger(durationSeconds)).toBe(true);
        const road = greatCircleMeters(a, b) * model.detourFactor;
        expect(Math.abs(distanceMeters - road)).toBeLessThanOrEqual(0.5);
        const seconds = (distanceMeters * 3.6) / model.speedKmh;
        expect(Math.abs(durationSeconds - seconds)).toBeLessThanOrEqual(0.5 + 1e-6);
      }),
      { numRuns: 500 },
    );
  });

  test("road distance is never shorter than the great circle", () => {
    fc.assert(
      fc.property(latLngArb, latLngArb, modelArb, (a, b, model) => {
        const { distanceMeters } = estimateTrip(a, b, model);
        expect(distanceMeters).toBeGreaterThanOrEqual(Math.round(greatCircleMeters(a, b)));
      }),
      { numRuns: 500 },
    );
  });

  test("faster market never means a longer duration", () => {
    fc.assert(
      fc.property(latLngArb, latLngArb, modelArb, fc.double({ min: 0, max: 50, noNaN: true }), (a, b, model, extra) => {
        const slow = estimateTrip(a, b, model).durationSeconds;
        const fast = estimateTrip(a, b, {
          ...model,
          speedKmh: model.speedKmh + extra,
        }).durationSeconds;
        expect(fast).toBeLessThanOrEqual(slow);
      }),
      { numRuns: 500 },
    );
  });
});
