import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  countOwned,
  deliveriesSql,
  insertSubscription,
  ownedSubscriptionsSql,
  setSubscriptionStatus,
  subscriptionSql,
} from "../../../db/notifications";
import { notificationHubStub } from "../../../shared/contracts/objects";
import { supported } from "../../../shared/i18n/locales";
import { areaCells } from "../../../shared/notifications/area";
import { seal } from "../../../shared/notifications/seal";
import { newWebhookSecret } from "../../../shared/notifications/signature";
import {
  CHANNELS,
  HOTSPOT_TOPIC,
  publicSubscription,
  type StoredSubscription,
  SURGE_TOPICS,
  SubscriptionInputSchema,
  TOPICS,
} from "../../../shared/notifications/subscription";
import { webhookTargetRefusal } from "../../../shared/notifications/targets";
import { MarketIdSchema } from "../../../shared/pricing/market";
import { type AppEnv, readDatabase, router, withDatabase } from "../app";
import { requireMarket } from "../auth/access";
import type { Principal } from "../auth/principal";
import { marketIndex } from "../market-index";
import { ProblemError, problemDoc } from "../problem";

/**
 * Notifications: riders and drivers subscribe for themselves, operators (and partners'
 * back ends) for their markets. A subscription is written to Postgres, then handed to its market's
 * hub in the notifications worker, which matches what zones and the system publish and delivers
 * through the chosen channel. Each subscription is its owner's: others get a 404, as if it did
 * not exist.
 */
export const notifications = router();

/** Subscriptions one owner may hold (each market's hub holds its market's in memory). */
const MAX_PER_OWNER = 50;
/** Whole-market topics: the platform's state, for those who run a market or integrate with it. */
const MARKET_TOPIC_ROLES = ["operator", "admin", "service"] as const;
/** Hotspots are for drivers too (where to head), and for those who run or integrate with the market. */
const HOTSPOT_ROLES = ["driver", ...MARKET_TOPIC_ROLES] as const;

const SubscriptionIdSchema = z.string().regex(/^sub_[a-f0-9]{24}$/, "a subscription id, sub_ and 24 hex digits");

const SubscriptionSchema = z
  .object({
    subscriptionId: z.string(),
    market: z.string(),
    owner: z.string(),
    topic: z.enum(TOPICS),
    threshold: z.number().nullable(),
    cells: z.array(z.string()),
    area: z.object({ lat: z.number(), lng: z.number(), radiusKm: z.number() }).nullable(),
    channel: z.enum(CHANNELS),
    target: z.union([z.string(), z.looseObject({ endpoint: z.string() })]),
    locale: z.string(),
    timeZone: z.string(),
    quietHours: z.object({ from: z.string(), to: z.string() }).nullable(),
    digestMinutes: z.number().int(),
    limit: z.object({ count: z.number().int(), minutes: z.number().int() }),
    expiresAt: z.string().nullable(),
    status: z.enum(["active", "disabled", "deleted"]),
    statusReason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("NotificationSubscription");

const CreatedSchema = SubscriptionSchema.extend({
  secret: z.string().optional().describe("a webhook's signing secret: shown once, here"),
}).openapi("NotificationSubscriptionCreated");

const DeliverySchema = z
  .object({
    deliveryId: z.string(),
    status: z.string().describe("scheduled, retrying, sent, parked (with its reason) or cancelled"),
    attempts: z.number().int(),
    sendAt: z.string(),
    sentAt: z.string().nullable(),
    lastError: z.string().nullable(),
    locale: z.string(),
    notices: z.array(z.object({ id: z.string(), at: z.number(), summary: z.string() })),
  })
  .openapi("NotificationDelivery");

const hub = (env: Env, market: string) =>
  notificationHubStub(env, market) as unknown as {
    upsert(market: string, s: StoredSubscription): Promise<void>;
    remove(market: string, id: string, version: number): Promise<void>;
    replay(market: string, id: string): Promise<{ replayed: number; enabled: boolean }>;
  };

const allowLocal = (env: Env) => (env.NOTIFICATIONS_LOCAL_TARGETS as string) === "true";

/** Tells the market's hub; a hub that cannot hear now catches up from Postgres within minutes. */
async function tellHub(c: Context<AppEnv>, market: string, what: (h: ReturnType<typeof hub>) => Promise<unknown>): Promise<void> {
  try {
    await what(hub(c.env, market));
  } catch (err) {
    console.error(
      JSON.stringify({
        level: "warn",
        requestId: c.get("requestId"),
        message: "notification hub not told; it syncs",
        error: String(err),
      }),
    );
  }
}

/** The caller's own subscription (admins: any), or a 404. */
async function owned(c: Context<AppEnv>, id: string): Promise<StoredSubscription> {
  const rows = await readDatabase(c, subscriptionSql(id), { code: "database-unreachable" });
  const s = (rows[0] as { body: StoredSubscription } | undefined)?.body;
  const p = c.get("principal") as Principal;
  if (!s || s.status === "deleted" || (s.owner !== p.subject && !p.roles.includes("admin")))
    throw new ProblemError(404, { code: "subscription-unknown", params: { subscription: id } });
  return s;
}

notifications.openapi(
  createRoute({
    method: "post",
    path: "/v1/notifications/subscriptions",
    summary:
      "Subscribe to hear of a market: a price crossing a threshold in an area, hotspots, a mode change, an emergency, a backlog, a guardrail stop",
    description:
      "Riders and drivers subscribe for themselves; operators and partners' back ends for their markets (whole-market topics are theirs). A webhook's answer carries its signing secret, once.",
    tags: ["notifications"],
    request: { body: { required: true, content: { "application/json": { schema: SubscriptionInputSchema } } } },
    responses: {
      201: { description: "Subscribed", content: { "application/json": { schema: CreatedSchema } } },
      403: problemDoc,
      404: problemDoc,
      409: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const principal = c.get("principal") as Principal;
    requireMarket(c, input.market);
    const allowed: readonly string[] = input.topic === HOTSPOT_TOPIC ? HOTSPOT_ROLES : MARKET_TOPIC_ROLES;
    if (!SURGE_TOPICS.includes(input.topic) && !principal.roles.some((r) => allowed.includes(r)))
      throw new ProblemError(403, { code: "topic-forbidden", params: { topic: input.topic, roles: allowed.join(", ") } });
    const index = await marketIndex(c.env);
    const market = index.market(input.market);
    if (!market) throw new ProblemError(404, { code: "market-unknown", params: { market: input.market } });
    const now = Date.now();
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= now)
      throw new ProblemError(422, { code: "expiry-past", params: { expiresAt: input.expiresAt } });
    let cells: string[] = [];
    const hasArea = input.cells !== undefined || input.lat !== undefined;
    if (SURGE_TOPICS.includes(input.topic) || (input.topic === HOTSPOT_TOPIC && hasArea)) {
      const area = input.cells
        ? { cells: input.cells }
        : { lat: input.lat as number, lng: input.lng as number, radiusKm: input.radiusKm as number };
      const resolved = areaCells(area, index.cellsOf(market.id) ?? new Set(), market.resolution);
      if ("notInMarket" in resolved)
        throw new ProblemError(422, { code: "cell-not-in-market", params: { cell: resolved.notInMarket, market: market.id } });
      if ("empty" in resolved) throw new ProblemError(422, { code: "area-outside-market", params: { market: market.id } });
      cells = resolved.cells;
    }
    if (input.channel === "webhook") {
      const refusal = webhookTargetRefusal(String(input.target), allowLocal(c.env));
      if (refusal) throw new ProblemError(422, { code: "target-refused", params: { reason: refusal } });
    }
    const locale = input.locale === undefined ? undefined : supported(input.locale, "user");
    if (input.locale !== undefined && !locale)
      throw new ProblemError(422, { code: "locale-unsupported", params: { locale: input.locale, supported: "en, vi, es, ar" } });
    const sealKey = c.env.NOTIFICATIONS_SEAL_KEY;
    if (input.channel === "webhook" && !sealKey)
      throw new ProblemError(503, { code: "signing-not-configured", params: { name: "NOTIFICATIONS_SEAL_KEY" } });
    const secret = input.channel === "webhook" ? newWebhookSecret() : undefined;
    const stored: StoredSubscription = {
      id: `sub_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
      market: market.id,
      owner: principal.subject,
      topic: input.topic,
      thresholdTenths: input.threshold === undefined ? null : Math.round(input.threshold * 10),
      cells,
      zoneResolution: market.zoneResolution,
      area:
        input.lat !== undefined && input.lng !== undefined && input.radiusKm !== undefined
          ? { lat: input.lat, lng: input.lng, radiusKm: input.radiusKm }
          : null,
      channel: input.channel,
      target: input.target,
      sealedSecret: secret ? await seal(sealKey, secret) : null,
      locale: (locale ?? supported(principal.locale, "user") ?? supported(market.locale, "market"))?.tag ?? "en",
      timeZone: input.timeZone ?? market.timezone,
      quietHours: input.quietHours ?? null,
      digestMinutes: input.digestMinutes,
      limit: input.limit,
      expiresAt: input.expiresAt === undefined ? null : Date.parse(input.expiresAt),
      status: "active",
      statusReason: null,
      createdAt: now,
      version: now,
    };
    await withDatabase(c, async (db) => {
      const count = await countOwned(db, principal.subject);
      if (count >= MAX_PER_OWNER)
        throw new ProblemError(409, { code: "subscriptions-too-many", params: { count, max: MAX_PER_OWNER } });
      await insertSubscription(db, stored);
    });
    await tellHub(c, market.id, (h) => h.upsert(market.id, stored));
    return c.json({ ...publicSubscription(stored), ...(secret ? { secret } : {}) }, 201);
  },
);

notifications.openapi(
  createRoute({
    method: "get",
    path: "/v1/notifications/subscriptions",
    summary: "Your subscriptions, newest first (of one market with ?market=)",
    tags: ["notifications"],
    request: { query: z.object({ market: MarketIdSchema.optional() }) },
    responses: {
      200: {
        description: "Your subscriptions (never a webhook's secret)",
        content: { "application/json": { schema: z.object({ subscriptions: z.array(SubscriptionSchema) }) } },
      },
      403: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const { market } = c.req.valid("query");
    if (market !== undefined) requireMarket(c, market);
    const principal = c.get("principal") as Principal;
    const rows = await readDatabase(c, ownedSubscriptionsSql(principal.subject, market, MAX_PER_OWNER), {
      code: "database-unreachable",
    });
    return c.json({ subscriptions: rows.map((r) => publicSubscription(r.body as StoredSubscription)) }, 200);
  },
);

notifications.openapi(
  createRoute({
    method: "get",
    path: "/v1/notifications/subscriptions/{subscriptionId}",
    summary: "One of your subscriptions (its state: active, or disabled with the reason)",
    tags: ["notifications"],
    request: { params: z.object({ subscriptionId: SubscriptionIdSchema }) },
    responses: {
      200: { description: "The subscription", content: { "application/json": { schema: SubscriptionSchema } } },
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const s = await owned(c, c.req.valid("param").subscriptionId);
    return c.json(publicSubscription(s), 200);
  },
);

notifications.openapi(
  createRoute({
    method: "delete",
    path: "/v1/notifications/subscriptions/{subscriptionId}",
    summary: "Unsubscribe: nothing more is sent, and what waited is cancelled",
    tags: ["notifications"],
    request: { params: z.object({ subscriptionId: SubscriptionIdSchema }) },
    responses: {
      200: { description: "Deleted", content: { "application/json": { schema: SubscriptionSchema } } },
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const s = await owned(c, c.req.valid("param").subscriptionId);
    const version = Math.max(Date.now(), s.version + 1);
    const deleted = await withDatabase(c, (db) => setSubscriptionStatus(db, s.id, "deleted", null, version));
    if (!deleted) throw new ProblemError(404, { code: "subscription-unknown", params: { subscription: s.id } });
    await tellHub(c, s.market, (h) => h.remove(s.market, s.id, version));
    return c.json(publicSubscription(deleted), 200);
  },
);

notifications.openapi(
  createRoute({
    method: "post",
    path: "/v1/notifications/subscriptions/{subscriptionId}/replay",
    summary: "Send again what was parked (the dead letters of this subscription), enabling a disabled target",
    description: "For after the target is fixed: a webhook back up, a new token. Parked deliveries go now, in order.",
    tags: ["notifications"],
    request: { params: z.object({ subscriptionId: SubscriptionIdSchema }) },
    responses: {
      200: {
        description: "Replayed",
        content: { "application/json": { schema: z.object({ replayed: z.number().int(), enabled: z.boolean() }) } },
      },
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const s = await owned(c, c.req.valid("param").subscriptionId);
    try {
      return c.json(await hub(c.env, s.market).replay(s.market, s.id), 200);
    } catch {
      throw new ProblemError(503, { code: "notifications-unavailable" }, {}, { "retry-after": "5" });
    }
  },
);

notifications.openapi(
  createRoute({
    method: "get",
    path: "/v1/notifications/deliveries",
    summary: "The delivery log of one of your subscriptions, newest first",
    tags: ["notifications"],
    request: {
      query: z.object({
        subscription: SubscriptionIdSchema,
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    responses: {
      200: {
        description: "Deliveries",
        content: {
          "application/json": { schema: z.object({ subscription: z.string(), deliveries: z.array(DeliverySchema) }) },
        },
      },
      404: problemDoc,
      422: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const s = await owned(c, q.subscription);
    const rows = await readDatabase(c, deliveriesSql(s.id, q.limit), { code: "database-unreachable" });
    const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
    return c.json(
      {
        subscription: s.id,
        deliveries: rows.map((r) => ({
          deliveryId: String(r.id),
          status: String(r.status),
          attempts: Number(r.attempts),
          sendAt: iso(r.send_at) as string,
          sentAt: iso(r.sent_at),
          lastError: (r.last_error as string | null) ?? null,
          locale: String(r.locale),
          notices: (typeof r.notices === "string" ? JSON.parse(r.notices) : r.notices) as Array<{
            id: string;
            at: number;
            summary: string;
          }>,
        })),
      },
      200,
    );
  },
);

notifications.openapi(
  createRoute({
    method: "get",
    path: "/v1/notifications/vapid-public-key",
    summary: "The VAPID public key browsers subscribe to Web Push with (applicationServerKey)",
    tags: ["notifications"],
    responses: {
      200: { description: "The key", content: { "application/json": { schema: z.object({ publicKey: z.string() }) } } },
      503: problemDoc,
    },
  }),
  async (c) => {
    const publicKey = c.env.VAPID_PUBLIC_KEY as string;
    if (!publicKey) throw new ProblemError(503, { code: "signing-not-configured", params: { name: "VAPID_PUBLIC_KEY" } });
    return c.json({ publicKey }, 200);
  },
);

const MailboxMessageSchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    channel: z.enum(["email", "sms", "fcm", "apns", "webpush", "webhook"]),
    to: z.string().describe("the recipient as the provider was told: an address, a number, a token, a path"),
    title: z.string(),
    body: z.string(),
    request: z.object({ method: z.string(), path: z.string(), contentType: z.string(), body: z.string() }),
  })
  .openapi("MailboxMessage");

notifications.openapi(
  createRoute({
    method: "get",
    path: "/v1/notifications/mailbox",
    summary: "On a developer's machine only: every message the providers' stand-ins received, newest first",
    description:
      "The dev command points every channel's provider at a local mailbox (bridges/mailbox.ts); this reads it. Where no mailbox is configured (production), a 404.",
    tags: ["notifications"],
    responses: {
      200: {
        description: "The mailbox",
        content: { "application/json": { schema: z.object({ messages: z.array(MailboxMessageSchema) }) } },
      },
      404: problemDoc,
      503: problemDoc,
    },
  }),
  async (c) => {
    const base = (c.env.DEV_MAILBOX_URL as string | undefined) ?? "";
    if (!base) throw new ProblemError(404, { code: "mailbox-off" });
    try {
      const res = await fetch(`${base.replace(/\/$/, "")}/messages`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`mailbox answered ${res.status}`);
      const { messages } = (await res.json()) as { messages: Array<z.infer<typeof MailboxMessageSchema>> };
      return c.json({ messages }, 200);
    } catch {
      throw new ProblemError(503, { code: "mailbox-unreachable" }, {}, { "retry-after": "5" });
    }
  },
);
