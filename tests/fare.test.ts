import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { FareBreakdown, FareSchedule } from "../shared/pricing/fare";
import { computeFare, roundHalfUp } from "../shared/pricing/fare";
import { formatMoney } from "../shared/pricing/money";

// Ho Chi Minh City, đồng (VND has no minor digits, so minor unit = 1 ₫).
const HCMC_VND: FareSchedule = {
  baseFare: 12_000,
  perKm: 8_500,
  perMinute: 350,
  minimumFare: 25_000,
  bookingFee: 2_000,
};

// Manhattan, US cents.
const MANHATTAN_USD: FareSchedule = {
  baseFare: 255,
  perKm: 109,
  perMinute: 35,
  minimumFare: 800,
  bookingFee: 275,
};

describe("computeFare examples", () => {
  test("Ben Thanh Market → Tan Son Nhat airport at ×1.3, VND", () => {
    const fare = computeFare(HCMC_VND, { distanceMeters: 9_005, durationSeconds: 1_474 }, 13);
    // 8500 × 9.005 km = 76542.5 → 76543 (half up)
    // 350 × 1474 s / 60 = 8598.33 → 8598
    // (12000 + 76543 + 8598) × 1.3 = 126283.3 → 126283
    expect(fare).toEqual({
      base: 12_000,
      distance: 76_543,
      time: 8_598,
      subtotal: 97_141,
      surcharge: 29_142,
      bookingFee: 2_000,
      minimumFareApplied: false,
      total: 128_283,
    });
    expect(formatMoney(fare.total, "VND", "vi-VN")).toBe("128.283\u00a0₫");
  });

  test("Times Square → Wall Street at ×1.5, USD (surge rounds half up)", () => {
    const fare = computeFare(MANHATTAN_USD, { distanceMeters: 6_900, durationSeconds: 1_560 }, 15);
    // 109 × 6.9 = 752.1 → 752; 35 × 26 min = 910; 1917 × 1.5 = 2875.5 → 2876
    expect(fare).toEqual({
      base: 255,
      distance: 752,
      time: 910,
      subtotal: 1_917,
      surcharge: 959,
      bookingFee: 275,
      minimumFareApplied: false,
      total: 3_151,
    });
    expect(formatMoney(fare.total, "USD", "en-US")).toBe("$31.51");
  });

  test("short Manhattan hop hits the minimum fare", () => {
    const fare = computeFare(MANHATTAN_USD, { distanceMeters: 500, durationSeconds: 120 }, 10);
    // 109 × 0.5 = 54.5 → 55; 35 × 2 = 70; 255 + 55 + 70 = 380; + 275 = 655 < 800
    expect(fare).toEqual({
      base: 255,
      distance: 55,
      time: 70,
      subtotal: 380,
      surcharge: 0,
      bookingFee: 275,
      minimumFareApplied: true,
      total: 800,
    });
  });

  test("exactly at the minimum is not 'applied'", () => {
    const fare = computeFare({ ...MANHATTAN_USD, minimumFare: 655 }, { distanceMeters: 500, durationSeconds: 120 }, 10);
    expect(fare.total).toBe(655);
    expect(fare.minimumFareApplied).toBe(false);
  });

  test("stays exact where float products would exceed 2^53", () => {
    // 2^40 × 2^20 = 2^60 > 2^53; /1000 half up, computed by hand with BigInt.
    const fare = computeFare(
      {
        baseFare: 0,
        perKm: 2 ** 40,
        perMinute: 0,
        minimumFare: 0,
        bookingFee: 0,
      },
      { distanceMeters: 2 ** 20, durationSeconds: 0 },
      10,
    );
    expect(BigInt(fare.distance)).toBe((2n ** 60n * 2n + 1000n) / (2n * 1000n));
  });

  test.each([9, 0, -10, 12.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects multiplierTenths %p", (m) => {
    expect(() => computeFare(MANHATTAN_USD, { distanceMeters: 1000, durationSeconds: 60 }, m)).toThrow(RangeError);
  });

  test.each([
    ["baseFare", -1],
    ["perKm", 1.5],
    ["perMinute", Number.NaN],
    ["minimumFare", 2 ** 53],
    ["bookingFee", -0.01],
  ] as const)("rejects schedule.%s = %p", (field, value) => {
    expect(() => computeFare({ ...MANHATTAN_USD, [field]: value }, { distanceMeters: 1000, durationSeconds: 60 }, 10)).toThrow(
      RangeError,
    );
  });

  test("rejects non-integer or negative trip measures", () => {
    expect(() => computeFare(MANHATTAN_USD, { distanceMeters: 1000.5, durationSeconds: 60 }, 10)).toThrow(RangeError);
    expect(() => computeFare(MANHATTAN_USD, { distanceMeters: 1000, durationSeconds: -1 }, 10)).toThrow(RangeError);
  });

  test("throws rather than returning an unsafe total", () => {
    expect(() =>
      computeFare(
        {
          baseFare: Number.MAX_SAFE_INTEGER,
          perKm: 0,
          perMinute: 0,
          minimumFare: 0,
          bookingFee: 0,
        },
        { distanceMeters: 0, durationSeconds: 0 },
        20,
      ),
    ).toThrow(RangeError);
  });
});

const scheduleArb: fc.Arbitrary<FareSchedule> = fc.record({
  baseFare: fc.nat({ max: 10_000_000 }),
  perKm: fc.nat({ max: 1_000_000 }),
  perMinute: fc.nat({ max: 1_000_000 }),
  minimumFare: fc.nat({ max: 50_000_000 }),
  bookingFee: fc.nat({ max: 10_000_000 }),
});
const tripArb = fc.record({
  distanceMeters: fc.nat({ max: 2_000_000 }),
  durationSeconds: fc.nat({ max: 200_000 }),
});
const multiplierArb = fc.integer({ min: 10, max: 100 });

/** Checks r = n/d rounded half up without dividing: −d ≤ 2(n − r·d) < d. */
function isHalfUpQuotient(r: number, n: bigint, d: bigint): boolean {
  const twiceError = 2n * (n - BigInt(r) * d);
  return -d <= twiceError && twiceError < d;
}

function isSafeBreakdown(fare: FareBreakdown): boolean {
  return [fare.base, fare.distance, fare.time, fare.subtotal, fare.surcharge, fare.bookingFee, fare.total].every(
    (v) => Number.isSafeInteger(v) && v >= 0,
  );
}

describe("computeFare properties", () => {
  test("total ≥ minimumFare", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, multiplierArb, (s, t, m) => {
        expect(computeFare(s, t, m).total).toBeGreaterThanOrEqual(s.minimumFare);
      }),
    );
  });

  test("every amount is a non-negative safe integer", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, multiplierArb, (s, t, m) => {
        expect(isSafeBreakdown(computeFare(s, t, m))).toBe(true);
      }),
    );
  });

  test("breakdown adds up", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, multiplierArb, (s, t, m) => {
        const f = computeFare(s, t, m);
        expect(f.base).toBe(s.baseFare);
        expect(f.bookingFee).toBe(s.bookingFee);
        expect(f.subtotal).toBe(f.base + f.distance + f.time);
        const beforeMinimum = f.subtotal + f.surcharge + f.bookingFee;
        expect(f.total).toBe(Math.max(s.minimumFare, beforeMinimum));
        expect(f.minimumFareApplied).toBe(s.minimumFare > beforeMinimum);
      }),
    );
  });

  test("each rounded line is the half-up quotient of the exact product", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, multiplierArb, (s, t, m) => {
        const f = computeFare(s, t, m);
        const distanceNum = BigInt(s.perKm) * BigInt(t.distanceMeters);
        expect(isHalfUpQuotient(f.distance, distanceNum, 1000n)).toBe(true);
        const timeNum = BigInt(s.perMinute) * BigInt(t.durationSeconds);
        expect(isHalfUpQuotient(f.time, timeNum, 60n)).toBe(true);
        const surged = f.subtotal + f.surcharge;
        expect(isHalfUpQuotient(surged, BigInt(f.subtotal) * BigInt(m), 10n)).toBe(true);
      }),
    );
  });

  test("no surcharge at ×1.0", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, (s, t) => {
        expect(computeFare(s, t, 10).surcharge).toBe(0);
      }),
    );
  });

  test("surcharge is never negative and grows with the multiplier", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, multiplierArb, fc.nat({ max: 50 }), (s, t, m, dm) => {
        const low = computeFare(s, t, m).surcharge;
        const high = computeFare(s, t, m + dm).surcharge;
        expect(low).toBeGreaterThanOrEqual(0);
        expect(high).toBeGreaterThanOrEqual(low);
      }),
    );
  });

  test("total never decreases when the multiplier rises", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, multiplierArb, fc.nat({ max: 50 }), (s, t, m, dm) => {
        expect(computeFare(s, t, m + dm).total).toBeGreaterThanOrEqual(computeFare(s, t, m).total);
      }),
    );
  });

  test("total never decreases when the distance rises", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, multiplierArb, fc.nat({ max: 100_000 }), (s, t, m, dd) => {
        const longer = { ...t, distanceMeters: t.distanceMeters + dd };
        expect(computeFare(s, longer, m).total).toBeGreaterThanOrEqual(computeFare(s, t, m).total);
      }),
    );
  });

  test("total never decreases when the duration rises", () => {
    fc.assert(
      fc.property(scheduleArb, tripArb, multiplierArb, fc.nat({ max: 10_000 }), (s, t, m, ds) => {
        const slower = { ...t, durationSeconds: t.durationSeconds + ds };
        expect(computeFare(s, slower, m).total).toBeGreaterThanOrEqual(computeFare(s, t, m).total);
      }),
    );
  });

  test("huge inputs either give safe integers or throw RangeError", () => {
    const big = fc.maxSafeNat();
    fc.assert(
      fc.property(
        fc.record({
          baseFare: big,
          perKm: big,
          perMinute: big,
          minimumFare: big,
          bookingFee: big,
        }),
        fc.record({ distanceMeters: big, durationSeconds: big }),
        fc.integer({ min: 10, max: 1_000_000 }),
        (s, t, m) => {
          let fare: FareBreakdown;
          try {
            fare = computeFare(s, t, m);
          } catch (error) {
            expect(error).toBeInstanceOf(RangeError);
            return;
          }
          expect(isSafeBreakdown(fare)).toBe(true);
        },
      ),
    );
  });
});

describe("roundHalfUp", () => {
  test.each([
    [0, 1, 0],
    [5, 2, 3],
    [4, 2, 2],
    [7, 2, 4],
    [1, 3, 0],
    [2, 3, 1],
    [7521, 10, 752],
    [28755, 10, 2876],
    [499, 1000, 0],
    [500, 1000, 1],
  ])("roundHalfUp(%d, %d) = %d", (n, d, expected) => {
    expect(roundHalfUp(n, d)).toBe(expected);
  });

  test("exact where Math.round(n / d) is off by one", () => {
    // 9007199254740991 / 3 = 3002399751580330.33…, but the double quotient is
    // 3002399751580330.5, which Math.round lifts to …331.
    expect(Math.round(Number.MAX_SAFE_INTEGER / 3)).toBe(3002399751580331);
    expect(roundHalfUp(Number.MAX_SAFE_INTEGER, 3)).toBe(3002399751580330);
    // …0991 / 2 = …495.5 → …496 (a true half, rounded up).
    expect(roundHalfUp(Number.MAX_SAFE_INTEGER, 2)).toBe(4503599627370496);
    expect(roundHalfUp(Number.MAX_SAFE_INTEGER, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  test("equals Math.round(n / d) for small values", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), (n, d) => {
        expect(roundHalfUp(n, d)).toBe(Math.round(n / d));
      }),
      { numRuns: 1000 },
    );
  });

  test("is the exact half-up quotient for large values", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2 ** 40, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (n, d) => {
          const r = roundHalfUp(n, d);
          expect(Number.isSafeInteger(r)).toBe(true);
          expect(isHalfUpQuotient(r, BigInt(n), BigInt(d))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test.each([
    [-1, 2],
    [1.5, 2],
    [Number.NaN, 2],
    [2 ** 53, 2],
    [1, 0],
    [1, -2],
    [1, 0.5],
    [1, Number.POSITIVE_INFINITY],
  ])("rejects roundHalfUp(%p, %p)", (n, d) => {
    expect(() => roundHalfUp(n, d)).toThrow(RangeError);
  });
});
