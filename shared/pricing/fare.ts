/**
 * Fare computation in integer minor units (see ./money). Pure: no I/O, no
 * clock. Every intermediate is an exact integer so a quote computed twice, or
 * on two machines, is identical to the last minor unit.
 */

/**
 * A market's price list. All fields are non-negative integers in the
 * currency's minor units (cents for USD, đồng for VND).
 */
export interface FareSchedule {
  /** Flat charge per trip. */
  baseFare: number;
  /** Minor units per kilometre. */
  perKm: number;
  /** Minor units per minute. */
  perMinute: number;
  /** Floor for the total, applied after surge and booking fee. */
  minimumFare: number;
  /** Flat fee added after surge (never multiplied). */
  bookingFee: number;
}

/** Itemised fare; every field is an integer in minor units. */
export interface FareBreakdown {
  base: number;
  distance: number;
  time: number;
  /** base + distance + time. */
  subtotal: number;
  /** Extra from the surge multiplier: surged subtotal − subtotal. */
  surcharge: number;
  bookingFee: number;
  /** True when the minimum fare raised the total. */
  minimumFareApplied: boolean;
  /** max(minimumFare, subtotal + surcharge + bookingFee). */
  total: number;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function assertNonNegativeSafeInteger(value: number, name: string): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

// BigInt because products such as perKm × distanceMeters can exceed 2^53 for
// valid safe-integer inputs, and a float product is already rounded before
// the division, which would silently break "exact".
function roundHalfUpBig(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

function toSafeNumber(value: bigint, name: string): number {
  if (value > MAX_SAFE) {
    throw new RangeError(`${name} exceeds Number.MAX_SAFE_INTEGER`);
  }
  return Number(value);
}

/**
 * numerator / denominator rounded to the nearest integer, halves up. Exact
 * for all non-negative safe integers (no float division involved).
 *
 * @example roundHalfUp(5, 2)   // 3
 * @example roundHalfUp(7521, 10) // 752
 * @example roundHalfUp(9007199254740991, 3) // 3002399751580330 (Math.round(n / 3) is off by one here)
 * @throws RangeError unless numerator is a non-negative safe integer and
 *   denominator a positive safe integer.
 */
export function roundHalfUp(numerator: number, denominator: number): number {
  assertNonNegativeSafeInteger(numerator, "numerator");
  if (!(Number.isSafeInteger(denominator) && denominator > 0)) {
    throw new RangeError(`denominator must be a positive safe integer, got ${denominator}`);
  }
  // The result is ≤ numerator, so it is always a safe integer.
  return Number(roundHalfUpBig(BigInt(numerator), BigInt(denominator)));
}

/**
 * Price a trip under a surge multiplier.
 *
 * `multiplierTenths` is the multiplier shown to the rider × 10 (13 → ×1.3),
 * so the charged amount is exactly what the displayed multiplier implies.
 * The booking fee is added after surge and the minimum fare is a floor on the
 * final total, so neither is multiplied.
 *
 * @example
 * // Manhattan, USD cents: $2.55 base, $1.09/km, $0.35/min, ×1.5 surge
 * computeFare(
 *   { baseFare: 255, perKm: 109, perMinute: 35, minimumFare: 800, bookingFee: 275 },
 *   { distanceMeters: 6900, durationSeconds: 1560 },
 *   15,
 * )
 * // { base: 255, distance: 752, time: 910, subtotal: 1917, surcharge: 959,
 * //   bookingFee: 275, minimumFareApplied: false, total: 3151 }
 * @throws RangeError if a schedule or trip field is not a non-negative safe
 *   integer, multiplierTenths is not an integer ≥ 10, or a result would
 *   exceed Number.MAX_SAFE_INTEGER.
 */
export function computeFare(
  schedule: FareSchedule,
  trip: { distanceMeters: number; durationSeconds: number },
  multiplierTenths: number,
): FareBreakdown {
  assertNonNegativeSafeInteger(schedule.baseFare, "baseFare");
  assertNonNegativeSafeInteger(schedule.perKm, "perKm");
  assertNonNegativeSafeInteger(schedule.perMinute, "perMinute");
  assertNonNegativeSafeInteger(schedule.minimumFare, "minimumFare");
  assertNonNegativeSafeInteger(schedule.bookingFee, "bookingFee");
  assertNonNegativeSafeInteger(trip.distanceMeters, "distanceMeters");
  assertNonNegativeSafeInteger(trip.durationSeconds, "durationSeconds");
  // Below ×1.0 would be a discount; that is a different product decision.
  if (!(Number.isSafeInteger(multiplierTenths) && multiplierTenths >= 10)) {
    throw new RangeError(`multiplierTenths must be an integer >= 10, got ${multiplierTenths}`);
  }

  const base = BigInt(schedule.baseFare);
  const distance = roundHalfUpBig(BigInt(schedule.perKm) * BigInt(trip.distanceMeters), 1000n);
  const time = roundHalfUpBig(BigInt(schedule.perMinute) * BigInt(trip.durationSeconds), 60n);
  const subtotal = base + distance + time;
  const surged = roundHalfUpBig(subtotal * BigInt(multiplierTenths), 10n);
  const beforeMinimum = surged + BigInt(schedule.bookingFee);
  const minimumFare = BigInt(schedule.minimumFare);
  const minimumFareApplied = minimumFare > beforeMinimum;

  return {
    base: schedule.baseFare,
    distance: toSafeNumber(distance, "distance"),
    time: toSafeNumber(time, "time"),
    subtotal: toSafeNumber(subtotal, "subtotal"),
    surcharge: toSafeNumber(surged - subtotal, "surcharge"),
    bookingFee: schedule.bookingFee,
    minimumFareApplied,
    total: toSafeNumber(minimumFareApplied ? minimumFare : beforeMinimum, "total"),
  };
}
