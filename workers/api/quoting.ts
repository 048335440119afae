import type { Context } from "hono";
import type { Market, Product } from "../../shared/pricing/market";
import { type QuotePricing, quoteAnswer, quoteClaims } from "../../shared/pricing/quote";
import type { AppEnv } from "./app";
import { quoteAt } from "./cell-readings";
import { signQuote } from "./quote-signing";
import { overrideCap, type systemSnapshot } from "./system";

/**
 * Quoting, one step after another: **price** (the pickup cell's zone prices the trip at its
 * multiplier, under every cap that binds now, and keeps the quote's record for history in the
 * same call) → **claims** (exactly what was charged) → **sign** (ES256) → the **answer**.
 * An experiment's variant, the rider's locale and a sentence explaining the price each enter as
 * one more input to a step; the route only validates the request and calls `quote`.
 */

export interface QuoteOrder {
  market: Market;
  cell: string;
  zone: string;
  product: Product;
  trip: { distanceMeters: number; durationSeconds: number };
  system: Awaited<ReturnType<typeof systemSnapshot>>;
}

export async function quote(c: Context<AppEnv>, order: QuoteOrder) {
  const { market } = order;
  const issuedAt = Date.now();
  const pricing: QuotePricing = {
    quoteId: `q_${crypto.randomUUID()}`,
    market: { id: market.id, currency: market.currency, cap: market.surge.cap },
    product: order.product,
    trip: order.trip,
    cell: order.cell,
    zone: order.zone,
    issuedAt,
    expiresAt: issuedAt + market.quoteTtlSeconds * 1000,
    emergencyCap: overrideCap(order.system, market.id, order.cell, issuedAt),
  };
  const { reading, priced, degraded } = await quoteAt(
    c,
    { id: market.id, version: market.version, cap: market.surge.cap },
    order.zone,
    pricing,
  );
  const token = await signQuote(c.env, pricing.quoteId, quoteClaims(pricing, priced), pricing.issuedAt, pricing.expiresAt);
  return quoteAnswer(pricing, priced, { token, locale: market.locale, explanation: reading.explanation, degraded });
}
