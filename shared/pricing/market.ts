import { z } from "zod";
import { Region } from "./geofence";
import { type GeofenceFault, geometryFaults, positionFault, rewound, timezoneFault } from "./geofence-faults";
import { isKnownCurrency } from "./money";
import { MAX_PLACES, PLACE_KINDS, type Place } from "./places";

/**
 * A market (a city or region): its geofence, the H3 resolutions that cut it into pricing
 * cells and zones, its products and fares, and its surge settings. Configuration is data:
 * every value here is validated once and stored; nothing about a market lives in code.
 */

export const MarketIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, "a market id is 2–40 lowercase letters, digits or dashes");

export const LatLngSchema = z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) });

/**
 * A schema's fault as a custom issue whose message a catalogue can say again in the reader's
 * language: `params.message` is its `validation.*` key, `params.values` the message's values.
 */
function addFault(ctx: z.RefinementCtx, fault: Omit<GeofenceFault, "path">, path: Array<string | number> = []): void {
  ctx.addIssue({
    code: "custom",
    path,
    message: fault.summary,
    params: { message: `validation.${fault.kind}`, values: fault.params },
  });
}

/** [lng, lat] (GeoJSON order), optionally with an altitude. */
const Position = z
  .array(z.number())
  .min(2)
  .max(3)
  .superRefine((position, ctx) => {
    const fault = positionFault(position);
    if (fault) addFault(ctx, fault);
  });
const LinearRing = z
  .array(Position)
  .min(4, "a linear ring has at least four positions")
  .max(10_000)
  .refine((ring) => {
    const first = ring[0];
    const last = ring[ring.length - 1];
    return first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1];
  }, "a linear ring is closed: its last position repeats its first");
const PolygonCoordinates = z.array(LinearRing).min(1).max(100);

export const GeofenceSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("Polygon"), coordinates: PolygonCoordinates }),
    z.object({ type: z.literal("MultiPolygon"), coordinates: z.array(PolygonCoordinates).min(1).max(100) }),
  ])
  .superRefine((geofence, ctx) => {
    for (const fault of geometryFaults(geofence)) addFault(ctx, fault, fault.path);
  });
export type Geofence = z.infer<typeof GeofenceSchema>;

export const PlaceSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "a place id is 1–40 lowercase letters, digits or dashes"),
  name: z.string().trim().min(1).max(80),
  kind: z.enum(PLACE_KINDS),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  radiusM: z.number().int().min(50).max(5000).default(400).describe("how far from its point a place still names where you are"),
}) satisfies z.ZodType<Place, unknown>;

const MinorAmount = z.number().int().min(0).max(1_000_000_000);

export const ProductSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "a product id is 1–32 lowercase letters, digits, _ or -"),
  name: z.string().min(1).max(80),
  baseFare: MinorAmount.describe("in the currency's minor units"),
  perKm: MinorAmount.describe("minor units per kilometre"),
  perMinute: MinorAmount.describe("minor units per minute"),
  minimumFare: MinorAmount,
  bookingFee: MinorAmount,
});
export type Product = z.infer<typeof ProductSchema>;

/**
 * Predictive surge: a forecast's expected demand over the next `horizonMinutes` raises a cell's
 * target early, by at most `weight` of the gap between it and live demand (never lowers it, never
 * past the cap). `shadow` prices reactively and tells beside it what predictive would have shown.
 */
export const PredictiveSettingsSchema = z.object({
  mode: z.enum(["off", "shadow", "on"]).default("off"),
  horizonMinutes: z.number().int().min(5).max(120).default(30),
  weight: z.number().min(0).max(1).default(0.5),
});
export type PredictiveSettings = z.infer<typeof PredictiveSettingsSchema>;

export const SurgeSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  cap: z.number().min(1).max(10).default(3),
  targetRatio: z.number().positive().max(100).default(1),
  priorWeight: z.number().min(0).max(1000).default(2),
  minDemand: z.number().min(0).max(10_000).default(3),
  sensitivity: z.number().positive().max(10).default(0.6),
  exponent: z.number().min(0.25).max(3).default(1),
  deadband: z.number().min(0).max(5).default(0.1),
  searchWeight: z.number().min(0).max(1).default(0.3),
  demandHalfLifeSeconds: z.number().int().min(10).max(3600).default(180),
  supplyWindowSeconds: z.number().int().min(10).max(3600).default(60),
  smoothing: z.number().gt(0).max(1).default(0.5),
  maxStepUp: z.number().gt(0).max(10).default(0.3),
  maxStepDown: z.number().gt(0).max(10).default(0.1),
  displayHysteresis: z.number().min(0).max(0.05).default(0.02),
  neighbourRings: z.number().int().min(0).max(3).default(1),
  neighbourWeight: z.number().min(0).max(1).default(0.5),
  updateIntervalMs: z.number().int().min(100).max(5000).default(200),
  predictive: PredictiveSettingsSchema.default(PredictiveSettingsSchema.parse({})),
});
/** The validated surge settings: the same shape `surge.ts` documents field by field. */
export type SurgeSettings = z.infer<typeof SurgeSettingsSchema>;

export const TripModelSchema = z.object({
  detourFactor: z.number().min(1).max(3).default(1.3),
  speedKmh: z.number().min(5).max(130).default(25),
});

function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/** Whether a string names an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The body of `PUT /v1/markets/{marketId}`. */
export const MarketInputSchema = z
  .object({
    name: z.string().min(1).max(120),
    currency: z.string().refine(isKnownCurrency, "an ISO 4217 currency code this platform knows, e.g. USD or VND"),
    timezone: z.string().refine(isTimeZone, "an IANA time zone, e.g. America/New_York"),
    locale: z.string().max(35).refine(isLocale, "a BCP 47 language tag, e.g. en-US or vi-VN"),
    geofence: GeofenceSchema,
    resolution: z.number().int().min(5).max(10).default(8).describe("H3 resolution of pricing cells"),
    zoneResolution: z
      .number()
      .int()
      .min(2)
      .max(9)
      .optional()
      .describe("H3 resolution of zones (one Durable Object each); 1–3 coarser than cells, default 2"),
    products: z
      .array(ProductSchema)
      .min(1)
      .max(20)
      .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, "product ids are unique"),
    surge: SurgeSettingsSchema.default(SurgeSettingsSchema.parse({})),
    trip: TripModelSchema.default(TripModelSchema.parse({})),
    quoteTtlSeconds: z.number().int().min(30).max(900).default(300),
    places: z
      .array(PlaceSchema)
      .max(MAX_PLACES)
      .default([])
      .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, "place ids are unique")
      .describe("named venues, stations, districts and landmarks: the map, search and riders' sentences use them"),
  })
  .superRefine((m, ctx) => {
    const clock = timezoneFault(m.geofence, m.timezone);
    if (clock) addFault(ctx, clock, clock.path);
    const region = new Region(m.geofence);
    m.places.forEach((place, i) => {
      if (!region.problem && !region.contains(place.lat, place.lng))
        ctx.addIssue({
          code: "custom",
          path: ["places", i],
          message: `${place.name} lies outside the geofence`,
          params: { message: "validation.place-outside", values: { name: place.name } },
        });
    });
    const zoneRes = m.zoneResolution ?? m.resolution - 2;
    if (zoneRes >= m.resolution || zoneRes < m.resolution - 3) {
      ctx.addIssue({
        code: "custom",
        path: ["zoneResolution"],
        message: `zoneResolution must be 1–3 below resolution (${m.resolution - 3}–${m.resolution - 1})`,
        params: {
          message: "validation.zone-resolution",
          values: { min: m.resolution - 3, max: m.resolution - 1, resolution: m.resolution },
        },
      });
    }
  })
  .transform((m) => ({ ...m, geofence: rewound(m.geofence), zoneResolution: m.zoneResolution ?? m.resolution - 2 }));
export type MarketInput = z.infer<typeof MarketInputSchema>;

/** A stored market: the input plus identity and bookkeeping (markets stored before places have none). */
export interface Market extends Omit<MarketInput, "places"> {
  places?: MarketInput["places"];
  id: string;
  version: number;
  updatedAt: string;
  cellCount: number;
  zoneCount: number;
  /** When an operator archived it: no longer priced or located, its history kept; PUT restores it. */
  archivedAt?: string;
}

/** The largest market accepted, in pricing cells: a zone object per few dozen of them. */
export const MAX_MARKET_CELLS = 50_000;
