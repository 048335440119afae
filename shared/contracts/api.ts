import { z } from "zod";
import { regexes } from "zod/v4/core";
import { PROBLEM_CODES } from "../i18n/problems";
import { LatLngSchema, MarketIdSchema } from "../pricing/market";
import { ExperimentStorySchema } from "./experiments";

/**
 * Request and response shapes of the public v1 API. Each schema is written once and serves
 * validation, the TypeScript types, the OpenAPI document and clients.
 */

export const MAX_BATCH_EVENTS = 1000;
/** A rider's or driver's own app reports its own events: far fewer per batch than a partner's back end. */
export const MAX_PERSONAL_BATCH_EVENTS = 100;
/** Events stamped further ahead than this are rejected: the producer's clock is wrong. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Events older than this are rejected: too late even for history. */
export const MAX_EVENT_AGE_MS = 24 * 3_600_000;

const Timestamp = z
  .union([z.iso.datetime({ offset: true }), z.number().int().positive()])
  .describe("ISO 8601 date-time with offset, or epoch milliseconds");

/**
 * Identifiers clients choose (event, driver and rider ids): up to 128 characters of text —
 * multi-byte is fine — but no control characters (NUL cannot be stored in Postgres) and no
 * unpaired UTF-16 surrogates (they cannot be encoded, so two ids could become one row).
 */
export function isPlainText(s: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  return s.isWellFormed() && !/[\u0000-\u001f\u007f]/.test(s);
}
const Identifier = z.string().min(1).max(128).refine(isPlainText, "text without control characters or unpaired surrogates");
const EventId = Identifier;

export const SupplyEventSchema = z
  .object({
    eventId: EventId,
    driverId: Identifier,
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    status: z.enum(["available", "busy", "offline"]),
    at: Timestamp,
  })
  .meta({
    example: {
      eventId: "s-20261201-0001",
      driverId: "driver-17",
      lat: 40.758,
      lng: -73.9855,
      status: "available",
      at: "2026-12-01T13:05:00Z",
    },
  });
export type SupplyEvent = z.infer<typeof SupplyEventSchema>;

export const DemandEventSchema = z
  .object({
    eventId: EventId,
    riderId: Identifier.optional(),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    kind: z.enum(["search", "request"]),
    at: Timestamp,
  })
  .meta({
    example: {
      eventId: "d-20261201-0001",
      riderId: "rider-42",
      lat: 40.758,
      lng: -73.9855,
      kind: "request",
      at: "2026-12-01T13:05:00Z",
    },
  });
export type DemandEvent = z.infer<typeof DemandEventSchema>;

/**
 * The ingest hot path's check of one event: exactly the schemas' rules, written out so that a
 * batch of a thousand events costs microseconds, not a zod parse each. It only ever *accepts*:
 * `undefined` means "not obviously valid", and the caller then asks the schema, which stays the
 * source of truth (and of the reason for a refusal). `tests/event-check.test.ts` proves both
 * accept and refuse the same inputs.
 */
export function quickSupplyEvent(raw: unknown): SupplyEvent | undefined {
  if (!isRecord(raw)) return undefined;
  const { eventId, driverId, lat, lng, status, at } = raw;
  if (!isIdentifier(eventId) || !isIdentifier(driverId) || !isLatLng(lat, lng) || !isTimestamp(at)) return undefined;
  if (status !== "available" && status !== "busy" && status !== "offline") return undefined;
  return { eventId, driverId, lat: lat as number, lng: lng as number, status, at };
}

/** As `quickSupplyEvent`, for demand. */
export function quickDemandEvent(raw: unknown): DemandEvent | undefined {
  if (!isRecord(raw)) return undefined;
  const { eventId, riderId, lat, lng, kind, at } = raw;
  if (!isIdentifier(eventId) || (riderId !== undefined && !isIdentifier(riderId))) return undefined;
  if (!isLatLng(lat, lng) || !isTimestamp(at)) return undefined;
  if (kind !== "search" && kind !== "request") return undefined;
  return riderId === undefined
    ? { eventId, lat: lat as number, lng: lng as number, kind, at }
    : { eventId, riderId, lat: lat as number, lng: lng as number, kind, at };
}

const ISO_DATETIME = regexes.datetime({ offset: true });

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** 1–128 characters as the schema counts them (code points: an emoji is one), plain text. */
function isIdentifier(x: unknown): x is string {
  if (typeof x !== "string" || x.length < 1 || x.length > 256 || !isPlainText(x)) return false;
  return x.length <= 128 || codePoints(x) <= 128;
}

/** Code points of a well-formed string: its UTF-16 units less one per surrogate pair. */
function codePoints(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length; i++) if ((s.charCodeAt(i) & 0xfc00) === 0xd800) count--;
  return count;
}

function isLatLng(lat: unknown, lng: unknown): boolean {
  return (
    typeof lat === "number" &&
    typeof lng === "number" &&
    Number.isFinite(lat) &&
    Number.isFinite(lng) &&
    lat >= -90 &&
    lat <= 90 &&
    lng >= -180 &&
    lng <= 180
  );
}

function isTimestamp(x: unknown): x is string | number {
  if (typeof x === "number") return Number.isSafeInteger(x) && x > 0;
  return typeof x === "string" && ISO_DATETIME.test(x);
}

/** The envelope is checked as a whole; each event is checked on its own so one bad event rejects only itself. */
export const EventBatchSchema = z.object({
  events: z.array(z.unknown()).min(1, "a batch holds at least one event"),
});

export const RejectionSchema = z.object({
  index: z.number().int(),
  reason: z.string(),
  retryable: z.boolean().optional(),
});

export const IngestResultSchema = z.object({
  accepted: z.number().int(),
  duplicate: z.number().int(),
  rejected: z.number().int(),
  rejections: z.array(RejectionSchema),
});
export type IngestResult = z.infer<typeof IngestResultSchema>;

/** Predictive surge's part of a multiplier (`shared/pricing/surge.ts`, `ForecastExplanation`). */
export const ForecastExplanationSchema = z.object({
  mode: z.enum(["shadow", "on"]).describe("on: the forecast priced; shadow: it only says what it would have shown"),
  modelId: z.string(),
  horizonMinutes: z.number().int(),
  expected: z.number().describe("demand the forecast expects in the cell over the horizon"),
  expectedLevel: z.number().describe("that rate as the decaying demand a zone counts"),
  weight: z.number(),
  demandUsed: z.number().describe("live demand raised by weight × the gap to expectedLevel (never lowered)"),
  reactiveTarget: z.number(),
  predictiveTarget: z.number(),
  predictiveShown: z.number().describe("the multiplier with the forecast (in shadow: what it would have been)"),
  predictiveSmoothed: z.number(),
  reactiveShown: z.number().describe("the multiplier live demand alone gave"),
});

export const ExplanationSchema = z.object({
  supply: z.number(),
  demand: z.number(),
  pooled: z.object({ supply: z.number(), demand: z.number(), cells: z.number().int() }),
  ratio: z.number(),
  curve: z.number(),
  cap: z.number(),
  capApplied: z.enum(["market", "emergency"]).nullable(),
  target: z.number(),
  previous: z.number(),
  smoothed: z.number(),
  stepLimited: z.boolean(),
  thinData: z.boolean(),
  shown: z.number(),
  forecast: ForecastExplanationSchema.optional().describe(
    "the forecast's part: present when the market's surge.predictive is on or shadow and the cell has a forecast",
  ),
  experiment: ExperimentStorySchema.optional().describe(
    "the experiment arm that priced (or watched) the cell, when it is in one",
  ),
});

/** Set when an answer was given without its usual source (and so may be less current). */
export const DegradedSchema = z
  .object({
    reason: z.literal("zone-unavailable"),
    basis: z.enum(["last-known", "default"]).describe("the last multiplier seen for the cell, or 1.0 when none is recent"),
    ageSeconds: z.number().int().nullable(),
  })
  .nullable();

export const SurgeReadingSchema = z.object({
  cell: z.string(),
  zone: z.string(),
  market: z.string(),
  multiplier: z.number(),
  supply: z.number(),
  demand: z.number(),
  seq: z.number().int(),
  computedAt: z.string(),
  computedAtFormatted: z.string().describe("computedAt on the market's clock, in the answer's language (Content-Language)"),
  explanation: ExplanationSchema,
  explanationText: z.string().describe("the price in one sentence for riders, in the answer's language"),
  degraded: DegradedSchema,
});

export const SurgeQuerySchema = z.object({
  lat: z.coerce.number().min(-90).max(90).meta({ example: 40.758 }),
  lng: z.coerce.number().min(-180).max(180).meta({ example: -73.9855 }),
});

export const CellQuerySchema = z.object({ cell: z.string().min(1).max(20).describe("an H3 pricing cell") });

export const CellHistorySchema = z.object({
  cell: z.string(),
  market: z.string(),
  points: z.array(z.object({ at: z.string(), multiplier: z.number(), supply: z.number(), demand: z.number() })),
});

export const HeatmapSchema = z.object({
  market: z.string(),
  resolution: z.number().int(),
  computedAt: z.string(),
  cells: z.array(
    z.object({ cell: z.string(), multiplier: z.number(), supply: z.number(), demand: z.number(), seq: z.number().int() }),
  ),
});

export const QuoteRequestSchema = z
  .object({
    pickup: LatLngSchema,
    dropoff: LatLngSchema,
    product: z
      .string()
      .min(1)
      .max(32)
      .describe(
        "one of the pickup market's product ids, as GET /v1/markets/{marketId} lists them (the demo markets: standard and xl in nyc-manhattan, bike and car in hcmc-central); another is a 422 naming those offered",
      ),
  })
  .meta({ example: { pickup: { lat: 40.758, lng: -73.9855 }, dropoff: { lat: 40.7069, lng: -74.0113 }, product: "standard" } });

export const FareBreakdownSchema = z.object({
  base: z.number().int(),
  distance: z.number().int(),
  time: z.number().int(),
  subtotal: z.number().int(),
  surcharge: z.number().int(),
  bookingFee: z.number().int(),
  minimumFareApplied: z.boolean(),
  total: z.number().int(),
});

export const QuoteSchema = z.object({
  quoteId: z.string(),
  token: z.string().describe("compact JWS (ES256) holding the quote; present it to honour the price"),
  market: MarketIdSchema,
  product: z.string(),
  currency: z.string(),
  multiplier: z.number(),
  total: z.number().int().describe("in the currency's minor units"),
  totalFormatted: z.string().describe("the total in the market's currency, written in the answer's language"),
  breakdown: FareBreakdownSchema,
  distanceMeters: z.number().int(),
  distanceFormatted: z.string().describe("in the answer's language and its region's road unit (km or mi)"),
  durationSeconds: z.number().int(),
  durationFormatted: z.string(),
  pickupCell: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  expiresAtFormatted: z.string().describe("expiresAt on the market's clock with its zone's abbreviation"),
  explanation: ExplanationSchema,
  explanationText: z.string().describe("why this price, in one sentence for riders, in the answer's language"),
  degraded: DegradedSchema,
});

export const VerifyRequestSchema = z.object({ token: z.string().min(1).max(8192) });

export const VerifiedQuoteSchema = z.object({
  valid: z.literal(true),
  quoteId: z.string(),
  market: z.string(),
  product: z.string(),
  currency: z.string(),
  multiplier: z.number(),
  total: z.number().int(),
  expiresAt: z.string(),
});

/** Every problem code (one component in the OpenAPI document, referenced by every problem). */
export const ProblemCodeSchema = z
  .enum(PROBLEM_CODES as [string, ...string[]])
  .describe("stable and machine-readable: what went wrong, whatever the language")
  .meta({ id: "ProblemCode" });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string().describe("the status's name, in the answer's language (Content-Language)"),
    status: z.number().int(),
    code: ProblemCodeSchema,
    detail: z.string().describe("what went wrong here, in the answer's language (Content-Language)"),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough();
export type Problem = z.infer<typeof ProblemSchema>;

/** Messages on `/v1/live`. */
export type LiveMessage =
  | { type: "surge"; cell: string; multiplier: number; at: string; seq: number }
  | { type: "snapshot"; cells: Array<{ cell: string; multiplier: number; seq: number }>; at: string }
  | { type: "subscribed"; cells: string[] | "all"; market?: string }
  | { type: "error"; detail: string }
  | {
      type: "mode";
      mode: "normal" | "degraded" | "emergency";
      system: "normal" | "degraded" | "emergency";
      overrides: Array<{ id: string; cap: number; cells: string[] | null; until: string; reason: string }>;
      at: string;
    };

export const LiveSubscribeSchema = z.object({
  type: z.literal("subscribe"),
  cells: z.array(z.string()).min(1).max(64),
});
