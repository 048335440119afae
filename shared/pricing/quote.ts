import type { QuoteExperiment, QuoteRecord } from "../contracts/history";
import { computeFare, type FareBreakdown, type FareSchedule } from "./fare";
import { formatMoney } from "./money";
import type { ExperimentStory } from "./policy";
import { effectiveCap, underCap } from "./surge";

/**
 * A quote's price from a cell's reading: the multiplier charged (the one shown, under every
 * cap that binds now), the fare at it and at 1.0, and the record history keeps. Pure: the zone
 * object prices with it (so the record is stored in the zone's outbox in the same turn as the
 * reading it used), and so does the edge when the zone cannot answer.
 */

export interface QuotePricing {
  quoteId: string;
  market: { id: string; currency: string; cap: number };
  product: FareSchedule & { id: string };
  trip: { distanceMeters: number; durationSeconds: number };
  cell: string;
  zone: string;
  issuedAt: number;
  expiresAt: number;
  /** An operator's emergency cap the edge already knows of (it binds at once, before any zone tick). */
  emergencyCap?: number;
}

export interface PricedQuote {
  /** The multiplier charged, in tenths. */
  shownTenths: number;
  /** True when `emergencyCap` lowered the reading's multiplier. */
  capped: boolean;
  fare: FareBreakdown;
  record: QuoteRecord;
}

/**
 * `experiment` is the arm of the reading that priced it (its story's `experiment`): the record
 * keeps it, and in shadow mode what each variant would have charged, under the same caps.
 * @example
 * priceQuote(pricing, 24) // 2.4× shown → fare at 2.4×, record with multiplierTenths 24 and totalAtOne
 * priceQuote({ ...pricing, emergencyCap: 1.5 }, 24) // charged at 1.5×, capped: true
 */
export function priceQuote(p: QuotePricing, readingTenths: number, experiment?: ExperimentStory): PricedQuote {
  const cap = effectiveCap({ cap: p.market.cap }, p.emergencyCap);
  const tenths = underCap(readingTenths, cap);
  const fare = computeFare(p.product, p.trip, tenths);
  const totalAtOne = tenths === 10 ? fare.total : computeFare(p.product, p.trip, 10).total;
  return {
    shownTenths: tenths,
    capped: tenths < readingTenths,
    fare,
    record: {
      quoteId: p.quoteId,
      market: p.market.id,
      product: p.product.id,
      cell: p.cell,
      zone: p.zone,
      currency: p.market.currency,
      multiplierTenths: tenths,
      total: fare.total,
      totalAtOne,
      issuedAt: p.issuedAt,
      expiresAt: p.expiresAt,
      ...(experiment && { experiment: quoteExperiment(p, experiment, cap) }),
    },
  };
}

/** An experiment's part of a quote's record: its label, and each shadow variant's multiplier and total under `cap`. */
function quoteExperiment(p: QuotePricing, story: ExperimentStory, cap: number): QuoteExperiment {
  const { shadow, ...label } = story;
  if (!shadow) return label;
  const priced: NonNullable<QuoteExperiment["shadow"]> = {};
  for (const [variant, multiplier] of Object.entries(shadow)) {
    const tenths = underCap(Math.round(multiplier * 10), cap);
    priced[variant] = { multiplierTenths: tenths, total: computeFare(p.product, p.trip, tenths).total };
  }
  return { ...label, shadow: priced };
}

/** What a quote's token holds (short names: the token travels with every booking). */
export interface QuoteClaims {
  /** market */ mkt: string;
  /** product */ prd: string;
  /** currency */ cur: string;
  /** shown multiplier in tenths */ mul: number;
  /** total in minor units */ tot: number;
  /** pickup cell */ cel: string;
  /** distance in metres, duration in seconds */ dst: number;
  dur: number;
}

/** The claims of a priced quote: exactly what was charged, so the token can be honoured as it stands. */
export function quoteClaims(p: QuotePricing, priced: PricedQuote): QuoteClaims {
  return {
    mkt: p.market.id,
    prd: p.product.id,
    cur: p.market.currency,
    mul: priced.shownTenths,
    tot: priced.fare.total,
    cel: p.cell,
    dst: p.trip.distanceMeters,
    dur: p.trip.durationSeconds,
  };
}

/**
 * The answer a rider's app gets: the price, its breakdown and its story, formatted in the
 * market's locale (the place a rider's own locale and an explanation sentence will plug in).
 */
export function quoteAnswer<E, D>(
  p: QuotePricing,
  priced: PricedQuote,
  signed: { token: string; locale: string; explanation: E; degraded: D },
) {
  return {
    quoteId: p.quoteId,
    token: signed.token,
    market: p.market.id,
    product: p.product.id,
    currency: p.market.currency,
    multiplier: priced.shownTenths / 10,
    total: priced.fare.total,
    totalFormatted: formatMoney(priced.fare.total, p.market.currency, signed.locale),
    breakdown: priced.fare,
    distanceMeters: p.trip.distanceMeters,
    durationSeconds: p.trip.durationSeconds,
    pickupCell: p.cell,
    issuedAt: new Date(p.issuedAt).toISOString(),
    expiresAt: new Date(Math.floor(p.expiresAt / 1000) * 1000).toISOString(),
    explanation: signed.explanation,
    degraded: signed.degraded,
  };
}
