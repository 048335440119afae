/**
 * Trip distance and duration estimates for quoting. Pure: no I/O, no clock.
 */

/** A WGS84 coordinate in decimal degrees. */
export type LatLng = { lat: number; lng: number };

/** Mean Earth radius (IUGG R1), metres. */
const EARTH_RADIUS_METERS = 6_371_008.8;

const RADIANS_PER_DEGREE = Math.PI / 180;

function assertCoordinate(point: LatLng, name: string): void {
  // Range checks catch swapped lat/lng (a common config/input bug) and NaN.
  if (!(point.lat >= -90 && point.lat <= 90)) {
    throw new RangeError(`${name}.lat must be in [-90, 90], got ${point.lat}`);
  }
  if (!(point.lng >= -180 && point.lng <= 180)) {
    throw new RangeError(`${name}.lng must be in [-180, 180], got ${point.lng}`);
  }
}

/**
 * Great-circle distance in metres on a sphere of the mean Earth radius
 * (haversine). Error versus the WGS84 ellipsoid is ≤ ~0.5%, far below the
 * uncertainty of the detour factor applied on top of it.
 *
 * @example greatCircleMeters({ lat: 0, lng: 0 }, { lat: 1, lng: 0 }) // ≈ 111_195
 * @throws RangeError if a latitude is outside [-90, 90] or a longitude outside
 *   [-180, 180] (including NaN).
 */
export function greatCircleMeters(a: LatLng, b: LatLng): number {
  assertCoordinate(a, "a");
  assertCoordinate(b, "b");
  const sinHalfDPhi = Math.sin(((b.lat - a.lat) * RADIANS_PER_DEGREE) / 2);
  const sinHalfDLambda = Math.sin((longitudeDelta(a.lng, b.lng) * RADIANS_PER_DEGREE) / 2);
  // s = sqrt(haversine). hypot instead of squaring avoids underflow for
  // extremely close points; the clamp keeps rounding from pushing s past 1.
  const s = Math.min(1, Math.hypot(sinHalfDPhi, Math.sqrt(cosLatitude(a.lat) * cosLatitude(b.lat)) * sinHalfDLambda));
  // atan2 instead of asin(s): well-conditioned near antipodes (s → 1).
  return 2 * EARTH_RADIUS_METERS * Math.atan2(s, Math.sqrt((1 - s) * (1 + s)));
}

/**
 * b − a in degrees, wrapped into [−180, 180]. Wrapping the degree values
 * before converting to radians keeps short hops across the antimeridian
 * (179.9999° → −179.9999°) accurate: sin(π − ε) would lose most of ε.
 * Each subtraction below is exact when its operands are within 2× of each
 * other, which is the case whenever the result is small.
 */
function longitudeDelta(aLng: number, bLng: number): number {
  const delta = bLng - aLng;
  if (delta > 180) return bLng - 180 - (aLng + 180);
  if (delta < -180) return bLng + 180 - (aLng - 180);
  return delta;
}

/**
 * cos(lat) computed as sin(90° − |lat|): near the poles cos(π/2 − ε) has an
 * absolute error of about one ulp of π/2, which is a large relative error for
 * small ε; 90 − |lat| is exact there and sin of a small angle is accurate.
 */
function cosLatitude(lat: number): number {
  return Math.sin((90 - Math.abs(lat)) * RADIANS_PER_DEGREE);
}

/** Per-market parameters of the trip estimate. */
export interface TripModel {
  /** Road distance ÷ great-circle distance; ≥ 1 (roads are never shorter). */
  detourFactor: number;
  /** Average door-to-door speed in km/h; > 0. */
  speedKmh: number;
}

/**
 * Estimate a trip's road distance and duration for a fare quote.
 *
 * This is a deliberate estimate, not routing: distance is the great-circle
 * distance times the market's detour factor, and duration assumes one
 * constant speed per market. It needs no routing service, is deterministic
 * for the same inputs, and is what the rider is quoted against.
 *
 * - distanceMeters = round(greatCircleMeters × detourFactor)
 * - durationSeconds = round(distanceMeters / (speedKmh / 3.6))
 *
 * @example
 * // 0.01° of latitude ≈ 1_111.95 m; × 1.4 → 1_557 m; at 30 km/h → 187 s
 * estimateTrip({ lat: 10.77, lng: 106.7 }, { lat: 10.78, lng: 106.7 },
 *   { detourFactor: 1.4, speedKmh: 30 })
 * // { distanceMeters: 1557, durationSeconds: 187 }
 * @throws RangeError for invalid coordinates, a detourFactor that is not a
 *   finite number ≥ 1, or a speedKmh that is not a finite number > 0.
 */
export function estimateTrip(
  pickup: LatLng,
  dropoff: LatLng,
  model: TripModel,
): { distanceMeters: number; durationSeconds: number } {
  if (!(Number.isFinite(model.detourFactor) && model.detourFactor >= 1)) {
    throw new RangeError(`detourFactor must be a finite number >= 1, got ${model.detourFactor}`);
  }
  if (!(Number.isFinite(model.speedKmh) && model.speedKmh > 0)) {
    throw new RangeError(`speedKmh must be a finite number > 0, got ${model.speedKmh}`);
  }
  const distanceMeters = Math.round(greatCircleMeters(pickup, dropoff) * model.detourFactor);
  const durationSeconds = Math.round(distanceMeters / (model.speedKmh / 3.6));
  return { distanceMeters, durationSeconds };
}
