import type { Random } from "./random";

/**
 * What riders will pay. Each rider's willingness to pay is lognormal around the static fare of
 * their trip: the median rider would pay `median` × that fare, and the spread is set by the
 * price elasticity of requests at that median price (for a lognormal, elasticity there is
 * √(2/π) / σ). A rider requests when the quoted total is within their willingness to pay, so a
 * higher price always means fewer requests, and a larger elasticity means riders react more
 * sharply around the median.
 */
export interface WillingnessToPay {
  /** The median rider's willingness to pay, as a multiple of the static fare (> 0). */
  median: number;
  /** Price elasticity of requests at the median price (> 0). */
  elasticity: number;
}

export const DEFAULT_WILLINGNESS: WillingnessToPay = { median: 1.6, elasticity: 1.4 };

/** σ of ln(willingness to pay). */
export function spreadOf(w: WillingnessToPay): number {
  return Math.sqrt(2 / Math.PI) / w.elasticity;
}

/** One rider's willingness to pay, in the same units as `staticFare`. */
export function drawWillingness(staticFare: number, w: WillingnessToPay, random: Random): number {
  return staticFare * w.median * Math.exp(spreadOf(w) * random.normal());
}

/**
 * The share of riders who request at a price `priceRatio` times the static fare.
 * @example requestProbability(1.6, { median: 1.6, elasticity: 1.4 }) // 0.5
 */
export function requestProbability(priceRatio: number, w: WillingnessToPay): number {
  if (!(priceRatio > 0)) return 1;
  return 1 - normalCdf((Math.log(priceRatio) - Math.log(w.median)) / spreadOf(w));
}

/** Φ(x) from erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
