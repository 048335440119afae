import { createRoute } from "@hono/zod-openapi";
import { QuoteRequestSchema, QuoteSchema, VerifiedQuoteSchema, VerifyRequestSchema } from "../../../shared/contracts/api";
import { estimateTrip } from "../../../shared/pricing/trip";
import { router } from "../app";
import { requireMarket } from "../auth/access";
import { keepRecord } from "../ledger";
import { useMarketLocale } from "../locale";
import { marketIndex } from "../market-index";
import { ProblemError, problemDoc } from "../problem";
import { verifyQuote } from "../quote-signing";
import { quote } from "../quoting";
import { systemSnapshot } from "../system";

/** Longest trip quoted: beyond it a rider wants a different product than a city ride. */
const MAX_TRIP_METERS = 500_000;

export const quotes = router();

quotes.openapi(
  createRoute({
    method: "post",
    path: "/v1/quotes",
    summary: "An upfront, signed price for a trip",
    description:
      "Fare = (base + per km + per minute) × the multiplier shown at pickup + booking fee, at least the minimum fare, in the market currency's minor units. The token is an ES256 JWS; present it to /v1/quotes/verify (or check it against /.well-known/jwks.json) to honour the price until it expires.",
    tags: ["quotes"],
    request: { body: { required: true, content: { "application/json": { schema: QuoteRequestSchema } } } },
    responses: {
      201: { description: "The quote", content: { "application/json": { schema: QuoteSchema } } },
      422: problemDoc,
      503: { ...problemDoc, description: "The platform is stopping (Retry-After), or its signing key is not configured" },
    },
  }),
  async (c) => {
    const req = c.req.valid("json");
    const where = (await marketIndex(c.env)).locate(req.pickup.lat, req.pickup.lng);
    if (!where) throw new ProblemError(422, { code: "pickup-outside" });
    const market = where.market;
    requireMarket(c, market.id);
    useMarketLocale(c, market.locale);
    const product = market.products.find((p) => p.id === req.product);
    if (!product)
      throw new ProblemError(422, {
        code: "product-unknown",
        params: { product: req.product, market: market.id, offered: market.products.map((p) => p.id).join(", ") },
      });
    const trip = estimateTrip(req.pickup, req.dropoff, market.trip);
    if (trip.distanceMeters > MAX_TRIP_METERS)
      throw new ProblemError(422, {
        code: "trip-too-long",
        params: { km: Math.round(trip.distanceMeters / 1000), max: MAX_TRIP_METERS / 1000 },
      });

    const snapshot = await systemSnapshot(c.env);
    if (snapshot?.draining)
      throw new ProblemError(503, { code: "draining", params: { what: "quotes" } }, {}, { "retry-after": "5" });
    return c.json(await quote(c, { market, cell: where.cell, zone: where.zone, product, trip, system: snapshot }), 201);
  },
);

quotes.openapi(
  createRoute({
    method: "post",
    path: "/v1/quotes/verify",
    summary: "Check a quote token before honouring it",
    tags: ["quotes"],
    request: { body: { required: true, content: { "application/json": { schema: VerifyRequestSchema } } } },
    responses: {
      200: { description: "The quote is genuine and current", content: { "application/json": { schema: VerifiedQuoteSchema } } },
      422: { ...problemDoc, description: "Not valid; `reason` is malformed, signature, expired or foreign" },
    },
  }),
  async (c) => {
    const claims = await verifyQuote(c.env, c.req.valid("json").token);
    await keepRecord(c.env, { type: "verified", quoteId: claims.jti, at: Date.now() }, c.get("requestId"));
    return c.json(
      {
        valid: true as const,
        quoteId: claims.jti,
        market: claims.mkt,
        product: claims.prd,
        currency: claims.cur,
        multiplier: claims.mul / 10,
        total: claims.tot,
        expiresAt: new Date(claims.exp * 1000).toISOString(),
      },
      200,
    );
  },
);
