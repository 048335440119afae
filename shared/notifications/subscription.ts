import { z } from "zod";
import { isTimeZone, MarketIdSchema } from "../pricing/market";

/**
 * Subscriptions: who asked to hear what, where, through which channel, and under which rules
 * (quiet hours, a digest window, a frequency limit, an expiry). The request's schema is the API's
 * (`POST /v1/notifications/subscriptions`); the stored shape is what Postgres keeps and each
 * market's notification hub holds for matching.
 */

export const TOPICS = [
  "surge.above",
  "surge.below",
  "hotspots",
  "system.mode",
  "system.emergency",
  "system.backlog",
  "experiment.guardrail",
] as const;
export type Topic = (typeof TOPICS)[number];
/** Topics about a place: they need a threshold and an area. */
export const SURGE_TOPICS: readonly Topic[] = ["surge.above", "surge.below"];
/** Where demand is expected to outrun drivers (each training of the market's forecast): the whole market, or an area. */
export const HOTSPOT_TOPIC: Topic = "hotspots";

export const CHANNELS = ["webhook", "webpush", "fcm", "apns", "email", "sms"] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** Largest radius of an area, and most cells a subscription may watch (a bounded index per market). */
export const MAX_RADIUS_KM = 5;
export const MAX_CELLS = 400;

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day, HH:MM (24 h)");
const base64url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, "base64url")
    .refine((s) => Math.floor((s.replace(/=+$/, "").length * 3) / 4) === bytes, `${bytes} bytes, base64url`);

/** A browser's PushSubscription (`subscription.toJSON()`): where to push and the keys to encrypt with. */
export const WebPushTargetSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  keys: z.object({ p256dh: base64url(65), auth: base64url(16) }),
});
export type WebPushTarget = z.infer<typeof WebPushTargetSchema>;

const TARGET_RULES: Record<Exclude<ChannelName, "webpush">, { pattern: RegExp; says: string }> = {
  webhook: { pattern: /^https?:\/\/[^\s]{1,2040}$/, says: "a webhook's target is an http(s) URL" },
  fcm: { pattern: /^[A-Za-z0-9_:-]{20,4096}$/, says: "an FCM registration token" },
  apns: { pattern: /^[0-9a-fA-F]{64,200}$/, says: "an APNs device token (hex)" },
  email: { pattern: /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/, says: "an email address" },
  sms: { pattern: /^\+[1-9]\d{6,14}$/, says: "a phone number in E.164 form, e.g. +14155550100" },
};

export const SubscriptionInputSchema = z
  .object({
    topic: z.enum(TOPICS),
    market: MarketIdSchema,
    lat: z.number().min(-90).max(90).optional(),
    lng: z.number().min(-180).max(180).optional(),
    radiusKm: z.number().gt(0).max(MAX_RADIUS_KM).optional(),
    cells: z.array(z.string().min(1).max(20)).min(1).max(MAX_CELLS).optional(),
    threshold: z
      .number()
      .min(1)
      .max(10)
      .refine((x) => Math.abs(x * 10 - Math.round(x * 10)) < 1e-9, "a multiplier in steps of 0.1, as riders see it")
      .optional()
      .describe("surge topics: the multiplier to cross (below: from ≥ threshold to under it; above: from under to ≥)"),
    channel: z.enum(CHANNELS),
    target: z
      .union([z.string().min(1).max(4096), WebPushTargetSchema])
      .describe("a webhook URL, a PushSubscription, an FCM or APNs token, an email address or an E.164 number"),
    locale: z.string().max(35).optional().describe("the language of the messages; by default the caller's, else the market's"),
    timeZone: z.string().refine(isTimeZone, "an IANA time zone").optional().describe("the recipient's; the market's by default"),
    quietHours: z
      .object({ from: ClockTime, to: ClockTime })
      .refine((q) => q.from !== q.to, "quiet hours start and end at different times")
      .optional()
      .describe(
        "nothing is sent between from and to in the recipient's time zone; what arrives waits for the end, in one message",
      ),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    digestMinutes: z
      .number()
      .int()
      .min(0)
      .max(60)
      .default(0)
      .describe("gather what happens within this many minutes of the first notice into one message (0: send at once)"),
    limit: z
      .object({ count: z.number().int().min(1).max(100), minutes: z.number().int().min(1).max(1440) })
      .default({ count: 10, minutes: 60 })
      .describe("at most count messages per minutes to this recipient; more wait and go as one digest"),
  })
  .superRefine((s, ctx) => {
    const surge = SURGE_TOPICS.includes(s.topic);
    const hotspots = s.topic === HOTSPOT_TOPIC;
    const point = [s.lat, s.lng, s.radiusKm].filter((x) => x !== undefined).length;
    if (point !== 0 && point !== 3)
      ctx.addIssue({ code: "custom", path: ["radiusKm"], message: "an area is lat, lng and radiusKm together" });
    if (point === 3 && s.cells)
      ctx.addIssue({ code: "custom", path: ["cells"], message: "give either lat, lng and radiusKm, or cells, not both" });
    if (surge && point === 0 && !s.cells)
      ctx.addIssue({ code: "custom", path: ["cells"], message: `${s.topic} needs an area: lat, lng and radiusKm, or cells` });
    if (surge && s.threshold === undefined)
      ctx.addIssue({ code: "custom", path: ["threshold"], message: `${s.topic} needs a threshold` });
    if (hotspots && s.threshold !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["threshold"],
        message: "hotspots take an area (or none: the whole market), no threshold",
      });
    if (!surge && !hotspots && (point > 0 || s.cells || s.threshold !== undefined))
      ctx.addIssue({ code: "custom", path: ["topic"], message: `${s.topic} is about the whole market: no area, no threshold` });
    if (s.channel === "webpush") {
      if (typeof s.target === "string")
        ctx.addIssue({ code: "custom", path: ["target"], message: "a Web Push target is the browser's PushSubscription" });
    } else {
      const rule = TARGET_RULES[s.channel];
      if (typeof s.target !== "string" || !rule.pattern.test(s.target))
        ctx.addIssue({ code: "custom", path: ["target"], message: rule.says });
    }
  });
export type SubscriptionInput = z.infer<typeof SubscriptionInputSchema>;

export type ChannelTarget = string | WebPushTarget;

export interface QuietHours {
  from: string;
  to: string;
}

/** A subscription as stored and matched; times are epoch milliseconds. */
export interface StoredSubscription {
  id: string;
  market: string;
  /** The subject of whoever created it: the recipient its frequency limit counts for. */
  owner: string;
  topic: Topic;
  thresholdTenths: number | null;
  /** The area's pricing cells ([] for whole-market topics). */
  cells: string[];
  /** The market's zone resolution when the area was resolved: which zone watches each cell. */
  zoneResolution: number;
  /** The area as asked (lat, lng, radiusKm), for reading back. */
  area: { lat: number; lng: number; radiusKm: number } | null;
  channel: ChannelName;
  target: ChannelTarget;
  /** A webhook's signing secret, sealed (`shared/notifications/seal.ts`); the API shows it once. */
  sealedSecret: string | null;
  locale: string;
  timeZone: string;
  quietHours: QuietHours | null;
  digestMinutes: number;
  limit: { count: number; minutes: number };
  expiresAt: number | null;
  status: "active" | "disabled" | "deleted";
  statusReason: string | null;
  createdAt: number;
  /** Grows with each change: the hub keeps whichever copy is newer. */
  version: number;
}

/** A subscription's answer: never the sealed secret. */
export function publicSubscription(s: StoredSubscription) {
  const { id, sealedSecret: _, thresholdTenths, expiresAt, createdAt, version: __, zoneResolution: ___, ...rest } = s;
  return {
    subscriptionId: id,
    ...rest,
    threshold: thresholdTenths === null ? null : thresholdTenths / 10,
    expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
    createdAt: new Date(createdAt).toISOString(),
  };
}

/** Whether a subscription still listens at `now`. */
export function listening(s: StoredSubscription, now: number): boolean {
  return s.status === "active" && (s.expiresAt === null || s.expiresAt > now);
}
