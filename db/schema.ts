import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * Equilibrium's history in Postgres. Live state is in zone Durable Objects; this is the record
 * that analytics, forecasts and experiments read, written by the analytics consumer from the
 * history queue with idempotent upserts.
 *
 * Indexes follow the questions asked: "this market (or this cell) over this time range".
 * - Append-mostly tables (`events`, `surge_minutes`, `quotes`) get a BRIN index on time: rows
 *   arrive roughly in time order, so BRIN answers range scans at a tiny fraction of a b-tree's
 *   size and write cost; plus a b-tree on (market, time) or (cell, time) for selective
 *   lookups of one market or one cell.
 * - No declarative partitioning yet: a month of a large market (~50 k cells × 43,200 minutes
 *   at most, far fewer active) stays within what these indexes serve quickly. Monthly range
 *   partitions on the time column are the next step when retention (dropping old months)
 *   matters; every primary key already leads with columns that allow it.
 * - Analytics reads rollups (`cell_hours`, `market_hours`, `market_days`, kept by the history
 *   writer in the transaction that writes the rows they sum) rather than a month of minutes; the
 *   minutes and quotes themselves serve what does not fall on whole hours, and custom reports.
 */

const tz = { withTimezone: true, mode: "date" } as const;

/** The current configuration of each market (the directory object caches it for the edge). */
export const markets = pgTable("markets", {
  id: text().primaryKey(),
  version: integer().notNull(),
  body: jsonb().notNull(),
  updatedAt: timestamp("updated_at", tz).notNull(),
});

/** Every configuration a market ever had: who priced what, when. */
export const marketVersions = pgTable(
  "market_versions",
  {
    marketId: text("market_id").notNull(),
    version: integer().notNull(),
    body: jsonb().notNull(),
    updatedAt: timestamp("updated_at", tz).notNull(),
  },
  (t) => [primaryKey({ columns: [t.marketId, t.version] })],
);

/**
 * Raw supply and demand events as accepted at the edge, for replay and audit. An event is known
 * by (kind, source, eventId): `source` is the principal that reported it, so ids are namespaced
 * per principal exactly as the zone's live replay guard namespaces them.
 */
export const events = pgTable(
  "events",
  {
    kind: text().notNull().$type<"supply" | "demand">(),
    source: text().notNull().default(""),
    eventId: text("event_id").notNull(),
    marketId: text("market_id").notNull(),
    zone: text().notNull(),
    cell: text().notNull(),
    at: timestamp(tz).notNull(),
    /** Driver or rider id. */
    actorId: text("actor_id"),
    /** available | busy | offline for supply; search | request for demand. */
    status: text().notNull(),
    receivedAt: timestamp("received_at", tz).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.source, t.eventId] }),
    index("events_market_at").on(t.marketId, t.at),
    index("events_at_brin").using("brin", t.at),
  ],
);

/** One row per active cell per minute: what the zone saw and showed. */
export const surgeMinutes = pgTable(
  "surge_minutes",
  {
    marketId: text("market_id").notNull(),
    cell: text().notNull(),
    minute: timestamp(tz).notNull(),
    zone: text().notNull(),
    supply: real().notNull(),
    demand: real().notNull(),
    /** The shown multiplier at the end of the minute, and the highest shown during it. */
    multiplier: real().notNull(),
    peakMultiplier: real("peak_multiplier").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.marketId, t.minute, t.cell] }),
    index("surge_minutes_cell_minute").on(t.cell, t.minute),
    index("surge_minutes_minute_brin").using("brin", t.minute),
  ],
);

/** Quotes issued, and whether (and when) they were verified to be honoured. */
export const quotes = pgTable(
  "quotes",
  {
    quoteId: text("quote_id").primaryKey(),
    marketId: text("market_id").notNull(),
    product: text().notNull(),
    cell: text().notNull(),
    zone: text().notNull(),
    currency: text().notNull(),
    multiplierTenths: smallint("multiplier_tenths").notNull(),
    /** The total charged, and what the same trip costs at 1.0 (to measure what surge earns). */
    total: bigint({ mode: "number" }).notNull(),
    totalAtOne: bigint("total_at_one", { mode: "number" }).notNull(),
    issuedAt: timestamp("issued_at", tz).notNull(),
    expiresAt: timestamp("expires_at", tz).notNull(),
    verifiedAt: timestamp("verified_at", tz),
  },
  (t) => [index("quotes_market_issued").on(t.marketId, t.issuedAt), index("quotes_issued_brin").using("brin", t.issuedAt)],
);

/**
 * What every rollup row sums, whatever its level: averages and ratios are these sums divided at
 * read time, so rows of any level add up (a day is the sum of its hours). Surge columns sum the
 * level's rows of `surge_minutes` (one per active cell-minute); quote columns count `quotes` by
 * the hour they were issued in, revenue only once verified. Sums are double precision.
 */
const rollupColumns = () => ({
  cellMinutes: integer("cell_minutes").notNull().default(0),
  multiplierSum: doublePrecision("multiplier_sum").notNull().default(0),
  supplySum: doublePrecision("supply_sum").notNull().default(0),
  demandSum: doublePrecision("demand_sum").notNull().default(0),
  /** Null while no minute is counted. */
  peakMultiplier: real("peak_multiplier"),
  quotes: integer().notNull().default(0),
  verified: integer().notNull().default(0),
  revenueAtSurge: bigint("revenue_at_surge", { mode: "number" }).notNull().default(0),
  revenueAtOne: bigint("revenue_at_one", { mode: "number" }).notNull().default(0),
});

/** Per cell per hour (UTC): KPIs of one cell or one zone, and what the market's hours sum. */
export const cellHours = pgTable(
  "cell_hours",
  {
    marketId: text("market_id").notNull(),
    cell: text().notNull(),
    hour: timestamp(tz).notNull(),
    zone: text().notNull(),
    ...rollupColumns(),
  },
  (t) => [primaryKey({ columns: [t.marketId, t.cell, t.hour, t.zone] }), index("cell_hours_market_hour").on(t.marketId, t.hour)],
);

/** Per market per hour (UTC): a month of a market's hourly KPIs is 720 rows. */
export const marketHours = pgTable(
  "market_hours",
  {
    marketId: text("market_id").notNull(),
    hour: timestamp(tz).notNull(),
    ...rollupColumns(),
  },
  (t) => [primaryKey({ columns: [t.marketId, t.hour] })],
);

/** Per market per day (UTC): a month of a market's daily KPIs is 30 rows. */
export const marketDays = pgTable(
  "market_days",
  {
    marketId: text("market_id").notNull(),
    day: timestamp(tz).notNull(),
    ...rollupColumns(),
  },
  (t) => [primaryKey({ columns: [t.marketId, t.day] })],
);

/** Verifications that arrived before their quote's row: applied when the quote lands. */
export const pendingVerifications = pgTable("pending_verifications", {
  quoteId: text("quote_id").primaryKey(),
  verifiedAt: timestamp("verified_at", tz).notNull(),
});

/**
 * People who sign in: operators and admins (password + TOTP, or single sign-on by email).
 * Passwords are PBKDF2-SHA256 hashes; the TOTP secret is what the authenticator app holds.
 */
export const users = pgTable("users", {
  id: text().primaryKey(),
  email: text().notNull().unique(),
  passwordHash: text("password_hash"),
  roles: jsonb().notNull().$type<string[]>(),
  markets: jsonb().notNull().$type<string[]>(),
  totpSecret: text("totp_secret"),
  /** The last TOTP time step a code was accepted for: each code works once. */
  totpLastStep: bigint("totp_last_step", { mode: "number" }),
  /** The BCP 47 tag answers use when a request names none (see shared/i18n/locales.ts); null: the market's. */
  locale: text(),
  createdAt: timestamp("created_at", tz).notNull().defaultNow(),
  disabledAt: timestamp("disabled_at", tz),
});

/** Partner back ends' keys: only a SHA-256 of the secret is kept; the secret is shown once. */
export const apiKeys = pgTable("api_keys", {
  id: text().primaryKey(),
  name: text().notNull(),
  secretHash: text("secret_hash").notNull(),
  roles: jsonb().notNull().$type<string[]>(),
  markets: jsonb().notNull().$type<string[]>(),
  /** Route ids the key may call; null means every route its roles allow. */
  routes: jsonb().$type<string[] | null>(),
  createdBy: text("created_by").notNull(),
  createdAt: timestamp("created_at", tz).notNull().defaultNow(),
  revokedAt: timestamp("revoked_at", tz),
});

/**
 * Refresh tokens (hashed): one use each, rotated on use, revocable. Every token rotated from one
 * sign-in shares its `family`; a rotated token presented again (`rotatedAt` set) means it was
 * stolen, and the whole family is revoked.
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: text().primaryKey(),
    secretHash: text("secret_hash").notNull(),
    userId: text("user_id").notNull(),
    family: text().notNull().default(""),
    expiresAt: timestamp("expires_at", tz).notNull(),
    rotatedAt: timestamp("rotated_at", tz),
    revokedAt: timestamp("revoked_at", tz),
  },
  (t) => [index("refresh_tokens_user").on(t.userId), index("refresh_tokens_family").on(t.family)],
);

/** Mode changes, dependency failures and recoveries, operators' overrides: the failure log. */
export const failureEvents = pgTable(
  "failure_events",
  {
    id: text().primaryKey(),
    at: timestamp(tz).notNull(),
    kind: text().notNull().$type<"mode" | "dependency" | "override" | "experiment">(),
    subject: text().notNull(),
    status: text().notNull(),
    detail: jsonb().notNull(),
  },
  (t) => [index("failure_events_at").on(t.at)],
);

/**
 * Requests per minute, route, system mode and outcome, with a latency histogram (one row per
 * bucket): enough for rates, error rates and percentiles per mode. Counts add up on upsert.
 */
export const requestMinutes = pgTable(
  "request_minutes",
  {
    minute: timestamp(tz).notNull(),
    route: text().notNull(),
    mode: text().notNull(),
    outcome: text().notNull().$type<"ok" | "client_error" | "server_error">(),
    /** Upper bound of the latency bucket, in milliseconds. */
    bucketMs: integer("bucket_ms").notNull(),
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.minute, t.route, t.mode, t.outcome, t.bucketMs] })],
);

/**
 * What operators and admins did: who (subject and roles), which action on which target, in
 * which market, when, with the request's id. Written in the same transaction as the change it
 * records (or through a durable outbox for changes that do not touch Postgres).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: text().primaryKey(),
    at: timestamp(tz).notNull(),
    actor: text().notNull(),
    roles: jsonb().notNull().$type<string[]>(),
    action: text().notNull(),
    target: text().notNull(),
    marketId: text("market_id"),
    requestId: text("request_id"),
    detail: jsonb().notNull(),
  },
  (t) => [
    index("audit_log_at").on(t.at),
    index("audit_log_market_at").on(t.marketId, t.at),
    index("audit_log_actor_at").on(t.actor, t.at),
  ],
);

/**
 * Demand and supply per cell and interval as imported (a new market's backfill): what the
 * forecasts learn from beside live events. `at` is the start of a minute or coarser interval;
 * one row per (market, cell, at), so an import sent again changes nothing.
 */
export const demandIntervals = pgTable(
  "demand_intervals",
  {
    marketId: text("market_id").notNull(),
    cell: text().notNull(),
    at: timestamp(tz).notNull(),
    searches: integer().notNull(),
    requests: integer().notNull(),
    supply: real().notNull(),
    importedAt: timestamp("imported_at", tz).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.marketId, t.at, t.cell] }), index("demand_intervals_at_brin").using("brin", t.at)],
);

/** Known happenings operators register (a concert, a match, a holiday): the forecasts use them. */
export const calendarEntries = pgTable(
  "calendar_entries",
  {
    marketId: text("market_id").notNull(),
    entryId: text("entry_id").notNull(),
    from: timestamp("from", tz).notNull(),
    to: timestamp("to", tz).notNull(),
    /** The entry as given (validated by `CalendarEntryInputSchema`). */
    body: jsonb().notNull(),
    updatedAt: timestamp("updated_at", tz).notNull(),
  },
  (t) => [primaryKey({ columns: [t.marketId, t.entryId] }), index("calendar_entries_market_to").on(t.marketId, t.to)],
);

/**
 * The model registry: every model each training fitted, with its parameters and its backtest per
 * horizon (and seasonal naive's beside it); `live` marks the one that serves the market (at most
 * one per market: promoted, or seasonal naive when nothing beat it).
 */
export const forecastModels = pgTable(
  "forecast_models",
  {
    modelId: text("model_id").primaryKey(),
    marketId: text("market_id").notNull(),
    /** The training run, per market: 1, 2, … */
    version: integer().notNull(),
    kind: text().notNull(),
    trainedAt: timestamp("trained_at", tz).notNull(),
    intervalMinutes: smallint("interval_minutes").notNull(),
    dataFrom: timestamp("data_from", tz).notNull(),
    dataTo: timestamp("data_to", tz).notNull(),
    heldOutFrom: timestamp("held_out_from", tz).notNull(),
    params: jsonb().notNull(),
    /** {horizons: {"15": {wape, seasonalNaiveWape, dispersion}, …}, meanWape, units} */
    backtest: jsonb().notNull(),
    /** Beat seasonal naive at every horizon on the held-out weeks. */
    beatsSeasonalNaive: boolean("beats_seasonal_naive").notNull(),
    live: boolean().notNull().default(false),
  },
  (t) => [
    index("forecast_models_market_trained").on(t.marketId, t.trainedAt),
    uniqueIndex("forecast_models_one_live").on(t.marketId).where(sql`live`),
  ],
);

/** The live model's latest forecasts per cell and interval ahead (replaced by each training). */
export const forecastPoints = pgTable(
  "forecast_points",
  {
    marketId: text("market_id").notNull(),
    cell: text().notNull(),
    at: timestamp(tz).notNull(),
    modelId: text("model_id").notNull(),
    demand: real().notNull(),
    low: real().notNull(),
    high: real().notNull(),
    /** Available drivers expected (seasonal naive of supply), when history has supply. */
    supply: real(),
  },
  (t) => [primaryKey({ columns: [t.marketId, t.cell, t.at] })],
);

// ── Experiments ──

/**
 * Pricing experiments: the definition as stored (`StoredExperiment`, its assignment salt
 * included — the API never answers it), with its span and stop as columns for the job's and the
 * overlap check's queries.
 */
export const experiments = pgTable(
  "experiments",
  {
    id: text().primaryKey(),
    marketId: text("market_id").notNull(),
    from: timestamp("from", tz).notNull(),
    to: timestamp("to", tz).notNull(),
    stoppedAt: timestamp("stopped_at", tz),
    body: jsonb().notNull(),
    updatedAt: timestamp("updated_at", tz).notNull(),
  },
  (t) => [index("experiments_market_from").on(t.marketId, t.from)],
);

/**
 * The experiment arm of each cell-minute a zone logged (beside its `surge_minutes` row): unit,
 * window and variant, the multiplier shown at the minute's end, and in shadow mode each variant's.
 * Demand events join it on (market, cell, minute) for conversion per unit and window.
 */
export const experimentMinutes = pgTable(
  "experiment_minutes",
  {
    experimentId: text("experiment_id").notNull(),
    minute: timestamp(tz).notNull(),
    cell: text().notNull(),
    marketId: text("market_id").notNull(),
    unit: text().notNull(),
    windowIndex: integer("window_index").notNull(),
    variant: text().notNull(),
    multiplier: real().notNull(),
    shadow: jsonb().$type<Record<string, number>>(),
  },
  (t) => [
    primaryKey({ columns: [t.experimentId, t.minute, t.cell] }),
    index("experiment_minutes_market_cell_minute").on(t.marketId, t.cell, t.minute),
  ],
);

/** The experiment arm that priced each quote (its totals and verification are in `quotes`), and in shadow mode each variant's price. */
export const experimentQuotes = pgTable(
  "experiment_quotes",
  {
    quoteId: text("quote_id").primaryKey(),
    experimentId: text("experiment_id").notNull(),
    issuedAt: timestamp("issued_at", tz).notNull(),
    unit: text().notNull(),
    windowIndex: integer("window_index").notNull(),
    variant: text().notNull(),
    shadow: jsonb().$type<Record<string, { multiplierTenths: number; total: number }>>(),
  },
  (t) => [index("experiment_quotes_experiment_issued").on(t.experimentId, t.issuedAt)],
);

// ── Notifications ──

/**
 * Who asked to hear what (`StoredSubscription` as `body`, its webhook secret sealed), with the
 * columns the routes and the hubs' loading ask by. Each market's notification hub holds its
 * market's live ones for matching; `version` says which copy is newer.
 */
export const notificationSubscriptions = pgTable(
  "notification_subscriptions",
  {
    id: text().primaryKey(),
    marketId: text("market_id").notNull(),
    owner: text().notNull(),
    topic: text().notNull(),
    status: text().notNull().$type<"active" | "disabled" | "deleted">(),
    version: bigint({ mode: "number" }).notNull(),
    expiresAt: timestamp("expires_at", tz),
    body: jsonb().notNull(),
    createdAt: timestamp("created_at", tz).notNull(),
    updatedAt: timestamp("updated_at", tz).notNull(),
  },
  (t) => [
    index("notification_subscriptions_market").on(t.marketId, t.status),
    index("notification_subscriptions_owner").on(t.owner),
  ],
);

/** The delivery log: each delivery's latest state as its hub reported it (a higher version replaces a lower). */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: text().primaryKey(),
    subscriptionId: text("subscription_id").notNull(),
    marketId: text("market_id").notNull(),
    topic: text().notNull(),
    channel: text().notNull(),
    status: text().notNull(),
    attempts: integer().notNull(),
    sendAt: timestamp("send_at", tz).notNull(),
    sentAt: timestamp("sent_at", tz),
    lastError: text("last_error"),
    locale: text().notNull(),
    notices: jsonb().notNull(),
    version: bigint({ mode: "number" }).notNull(),
    updatedAt: timestamp("updated_at", tz).notNull(),
  },
  (t) => [index("notification_deliveries_subscription").on(t.subscriptionId, t.sendAt)],
);

// ── Languages ──

/**
 * Drafts of catalogue messages a language lacks (a key English has and its catalogue does not):
 * made by machine translation off the request path, then reviewed by an admin. `english` is the
 * English message the draft translates: when English changes, the draft no longer applies and is
 * made again. `status`: `machine` (a machine's, unreviewed, used and marked as such), `approved`
 * (an admin approved or wrote it), `rejected` (never used; not drafted again for this English).
 */
export const catalogueDrafts = pgTable(
  "catalogue_drafts",
  {
    language: text().notNull(),
    key: text().notNull(),
    english: text().notNull(),
    text: text().notNull(),
    status: text().notNull().$type<"machine" | "approved" | "rejected">(),
    /** Who made the text: the model's name, or the admin who wrote it. */
    author: text().notNull(),
    createdAt: timestamp("created_at", tz).notNull(),
    reviewedBy: text("reviewed_by"),
    reviewedAt: timestamp("reviewed_at", tz),
  },
  (t) => [primaryKey({ columns: [t.language, t.key] })],
);

/**
 * Notes riders and drivers send about a price, in their own words, with the language detected in
 * them (null: too short or too mixed to tell) and the locale the reply was written in.
 */
export const feedbackNotes = pgTable(
  "feedback_notes",
  {
    id: text().primaryKey(),
    subject: text().notNull(),
    marketId: text("market_id").notNull(),
    quoteId: text("quote_id"),
    note: text().notNull(),
    detectedLanguage: text("detected_language"),
    confidence: real(),
    replyLocale: text("reply_locale").notNull(),
    createdAt: timestamp("created_at", tz).notNull(),
  },
  (t) => [index("feedback_notes_market_at").on(t.marketId, t.createdAt)],
);
