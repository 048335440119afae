import type { Context } from "hono";
import { t } from "../../shared/i18n/catalogue";
import { explanationMessage } from "../../shared/i18n/explanation";
import { formatDistance, formatDuration, formatTime } from "../../shared/i18n/format";
import type { Market, Product } from "../../shared/pricing/market";
import { placeOfCell } from "../../shared/pricing/places";
import { type QuotePricing, quoteAnswer, quoteClaims } from "../../shared/pricing/quote";
import type { AppEnv } from "./app";
import { quoteAt } from "./cell-readings";
import { signQuote } from "./quote-signing";
import { type AiRunner, fakePolisher, type SentencePolisher, workersAiPolisher } from "./sentence-polish";
import { overrideCap, type systemSnapshot } from "./system";

/**
 * Quoting, one step after another: **price** (the pickup cell's zone prices the trip at its
 * multiplier, under every cap that binds now, and keeps the quote's record for history in the
 * same call) → **claims** (exactly what was charged) → **sign** (ES256), and beside it the
 * **sentence** (the plain template in the request's locale, polished within its deadline) → the
 * **answer**, its money, distance, duration and expiry written in the request's locale on the
 * market's clock. The route only validates the request, settles its locale and calls `quote`.
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
  const locale = c.get("locale");
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
    { id: market.id, version: market.version, cap: market.surge.cap, tickMs: market.surge.updateIntervalMs },
    order.zone,
    pricing,
  );
  const sentence = explanationMessage({
    explanation: reading.explanation,
    multiplier: priced.shownTenths / 10,
    degraded: degraded !== null,
    capped: priced.capped,
    place: placeOfCell(market.places, order.cell, market.resolution)?.name,
  });
  const [token, explanationText] = await Promise.all([
    signQuote(c.env, pricing.quoteId, quoteClaims(pricing, priced), pricing.issuedAt, pricing.expiresAt),
    sentencePolisher(c.env).polish(t(locale, sentence.key, sentence.params), locale.tag),
  ]);
  const answer = quoteAnswer(pricing, priced, {
    token,
    locale: locale.tag,
    explanation: reading.explanation,
    degraded,
  });
  return {
    ...answer,
    distanceFormatted: formatDistance(answer.distanceMeters, locale.tag),
    durationFormatted: formatDuration(answer.durationSeconds, locale.tag),
    expiresAtFormatted: formatTime(Date.parse(answer.expiresAt), market.timezone, locale.tag),
    explanationText,
  };
}

/**
 * This isolate's sentence polisher: Workers AI where the `AI` binding is configured (it has no
 * local emulation, so wrangler.toml declares none and locally the deterministic fake serves).
 * One per isolate, not per request, so that its breaker remembers failures across requests.
 */
let polisher: SentencePolisher | undefined;
function sentencePolisher(env: Env): SentencePolisher {
  if (!polisher) {
    const ai = (env as Env & { AI?: AiRunner }).AI;
    polisher = ai ? workersAiPolisher(ai) : fakePolisher;
  }
  return polisher;
}
