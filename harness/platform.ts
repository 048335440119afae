import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { type Mailbox, mailboxBindings, startMailbox } from "../bridges/mailbox";
import type { PostgresTarget } from "../scripts/postgres";
import { dropDatabase } from "../scripts/postgres";
import { newSealKey } from "../shared/notifications/seal";
import { newVapidKeys } from "../shared/notifications/vapid";
import { isRole, type Role } from "../workers/api/auth/principal";
import { ROUTE_CLASSES } from "../workers/api/rate-limit";
import { localBridges, neonEnv } from "./bridges";
import { freshDatabase, type TestDatabase } from "./database";
import { newAuthSigningKeys, newQuoteSigningKey } from "./keys";
import { mintToken } from "./tokens";
import { buildWorkers, miniflareWorker, TEST_BUNDLES } from "./workers";

/**
 * The real platform — the edge worker with its Durable Objects and the history writer, joined
 * by the history queue — running in workerd through Miniflare with the bindings their
 * `wrangler.toml` files declare, writing to a real PostgreSQL (a fresh database per platform)
 * through the Neon driver and the local bridges. State lives under a directory that survives
 * `restart()`.
 *
 * The platform itself calls as nobody: every caller is someone, with a role and markets, as in
 * production. A test acts as the least role its story needs.
 *
 * @example
 * const p = await startPlatform();
 * await p.as("operator", { markets: ["nyc"] }).json("/v1/markets/nyc", demoMarket("nyc-manhattan"), "PUT");
 * await p.as("service").json("/v1/events/demand", { events: demandEvents(timesSquare, 40) });
 * await p.as("rider").fetch("/v1/surge?lat=40.758&lng=-73.9855");
 */

/** Calls the API as one principal (or as nobody). */
export interface Client {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json<T = unknown>(path: string, body: unknown, method?: string): Promise<{ status: number; body: T; headers: Headers }>;
}

/** Who a role's client is, beyond its role. */
export interface Scope {
  /** Markets it may act on: every market ("*") unless given. */
  markets?: string[];
  /** Its subject: `test-<role>` unless given. A rider's or driver's own events are reported as it. */
  subject?: string;
  /** Route ids, for a route-scoped service key. */
  routes?: string[];
  /** The saved locale its token carries, as a signed-in user's does. */
  locale?: string;
}

/** An access token's principal and lifetime; the subject is `test-<roles>` unless given. */
export interface Claims extends Scope {
  roles: Role[];
  seconds?: number;
}

export interface Platform extends Client {
  url: string;
  /** A client acting as one role (in `scope.markets`, every market by default); its token is minted on first use. */
  as(role: Role, scope?: Scope): Client;
  /** A client that calls with this token, or with none (`null`). */
  as(token: string | null): Client;
  /** Signs an access token with this platform's key, for callers that are not `fetch` (WebSockets, other processes). */
  token(claims: Claims): Promise<string>;
  /** Everything the Workers logged (console output), for checks that secrets never appear. */
  logs: string[];
  /** The Postgres database this platform writes history to. */
  database: TestDatabase;
  /** Stops workerd and starts it again on the same state (a deploy or a crash, as far as state goes). */
  restart(): Promise<void>;
  /** The history queue as the Workers see it: for sending what no API route would (hostile messages). */
  historyQueue(): Promise<Queue>;
  /** The notifications worker's queue, for redelivering what it already got. */
  notificationsQueue(): Promise<Queue>;
  /** The dev mailbox, when started with `mailbox: true`. */
  mailbox?: Mailbox;
  /** Runs the edge worker's cron handler as the schedule would at `at` ("* * * * *": the every-minute jobs). */
  scheduled(cron: string, at: number): Promise<void>;
  dispose(): Promise<void>;
}

export interface PlatformOptions {
  persistDir?: string;
  signingKey?: string;
  /** Where Postgres runs (default: the machine's server on 127.0.0.1:5432). */
  postgres?: PostgresTarget;
  /** AUTH_SIGNING_KEYS (default: one fresh key). */
  authKeys?: string;
  /** Extra bindings for the edge worker (e.g. single sign-on settings). */
  bindings?: Record<string, string>;
  /** An existing database to use (and keep) instead of a fresh one. */
  database?: TestDatabase;
  /** The folder `buildWorkers` bundles into (default: the tests' `dist/test`, built on first start). */
  bundles?: string;
  /** Extra bindings for the notifications worker (providers' base URLs and credentials, e.g. a fake's). */
  notificationBindings?: Record<string, string>;
  /** Every provider's messages to a dev mailbox (`bridges/mailbox.ts`), readable at `GET /v1/notifications/mailbox`, as the dev command runs. */
  mailbox?: boolean;
  /**
   * Stand-ins for outside services the edge reaches through a binding (Workers AI has no local
   * emulation): each a Worker of its own (Miniflare options), bound to the edge worker by name,
   * e.g. `{ AI: { name: "fake-ai", entrypoint: "FakeAi", script } }`.
   */
  services?: Record<string, { name: string; entrypoint?: string; script: string }>;
}

/** The edge worker's options with each service bound to its stand-in Worker. */
function withServices<T extends object>(worker: T, services: PlatformOptions["services"]): T {
  if (!services) return worker;
  const bound = Object.fromEntries(
    Object.entries(services).map(([binding, s]) => [binding, { name: s.name, entrypoint: s.entrypoint }]),
  );
  const own = (worker as { serviceBindings?: object }).serviceBindings;
  return { ...worker, serviceBindings: { ...own, ...bound } };
}

/** A role client's token is minted again once it has less than this left. */
const RENEW_BEFORE_EXPIRY_MS = 60_000;
const ROLE_TOKEN_SECONDS = 15 * 60;

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const bundles = options.bundles ?? TEST_BUNDLES;
  buildWorkers(bundles);
  const persist = options.persistDir ?? mkdtempSync(join(tmpdir(), "equilibrium-"));
  const ownsPersist = options.persistDir === undefined;
  const signingKey = options.signingKey ?? (await newQuoteSigningKey());
  const authKeys = options.authKeys ?? (await newAuthSigningKeys());
  const token = (claims: Claims) =>
    mintToken(authKeys, { ...claims, subject: claims.subject ?? `test-${claims.roles.join("+")}` });
  const upstash = await localBridges();
  // Many platforms share the machine's Redis: each limits in its own key space, kept across restart().
  const rateLimitPrefix = `platform:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  // Tests drive far more traffic per principal than production allows; rate-limit tests set their own.
  const generous = JSON.stringify(Object.fromEntries(ROUTE_CLASSES.map((k) => [k, { requests: 1_000_000, windowSeconds: 60 }])));
  const logs: string[] = [];
  const database = options.database ?? (await freshDatabase(options.postgres));
  const ownsDatabase = options.database === undefined;
  const dbBindings = await neonEnv(database.url);
  // Notifications: webhook secrets sealed under a key of this platform's; local webhook targets allowed.
  const vapid = await newVapidKeys();
  const notificationKeys = { NOTIFICATIONS_SEAL_KEY: newSealKey(), NOTIFICATIONS_LOCAL_TARGETS: "true" };
  // Machine drafts of missing messages from the visible fake where no Workers AI is bound.
  const devOnly = { MACHINE_TRANSLATION_FAKE: "true" };
  const mailbox = options.mailbox ? await startMailbox() : undefined;
  const mailboxProviders = mailbox ? await mailboxBindings(mailbox.url) : {};

  const start = async () => {
    const converted = convertV4MiniflareOptions({
      port: 0,
      workers: [
        withServices(
          miniflareWorker("api", bundles, {
            ...dbBindings,
            QUOTE_SIGNING_KEY: signingKey,
            AUTH_SIGNING_KEYS: authKeys,
            UPSTASH_REDIS_REST_URL: upstash.upstashUrl,
            UPSTASH_REDIS_REST_TOKEN: upstash.upstashToken,
            RATE_LIMIT_PREFIX: rateLimitPrefix,
            RATE_LIMITS: generous,
            ...notificationKeys,
            ...devOnly,
            VAPID_PUBLIC_KEY: vapid.publicKey,
            ...(mailbox ? { DEV_MAILBOX_URL: mailbox.url } : {}),
            ...options.bindings,
          }),
          options.services,
        ),
        miniflareWorker("history", bundles, dbBindings),
        miniflareWorker("notifications", bundles, {
          ...dbBindings,
          ...notificationKeys,
          VAPID_PRIVATE_KEY: vapid.privateJwk,
          ...mailboxProviders,
          ...options.notificationBindings,
        }),
        ...Object.values(options.services ?? {}).map((service) => ({
          name: service.name,
          modules: true,
          script: service.script,
        })),
      ],
    } as unknown as Parameters<typeof convertV4MiniflareOptions>[0]);
    const mf = new Miniflare({
      ...converted,
      resourcePersistencePath: join(persist, "state"),
      handleStructuredLogs: (log) => {
        logs.push(JSON.stringify(log));
        if (process.env.EQUILIBRIUM_TEST_LOGS) console.log(JSON.stringify(log));
      },
    });
    const url = (await mf.ready).href.replace(/\/$/, "");
    return { mf, url };
  };

  let current = await start();
  const client = (bearer: () => Promise<string | null>): Client => ({
    async fetch(path, init) {
      const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
      const auth = await bearer();
      if (auth && !headers.has("authorization")) headers.set("authorization", `Bearer ${auth}`);
      return fetch(current.url + path, { ...init, headers });
    },
    async json(path, body, method = "POST") {
      const headers: Record<string, string> = { "content-type": "application/json" };
      const auth = await bearer();
      if (auth) headers.authorization = `Bearer ${auth}`;
      const res = await fetch(current.url + path, {
        method,
        headers,
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
  });
  // One client per principal, so that a test's repeated `p.as(...)` is one caller to rate limits and caches.
  const roleClients = new Map<string, Client>();
  const roleClient = (role: Role, scope: Scope): Client => {
    const key = JSON.stringify([role, scope.subject, scope.markets, scope.routes, scope.locale]);
    let made = roleClients.get(key);
    if (!made) {
      let minted: { token: Promise<string>; expiresAt: number } | undefined;
      made = client(() => {
        if (!minted || minted.expiresAt - Date.now() < RENEW_BEFORE_EXPIRY_MS)
          minted = {
            token: token({ ...scope, subject: scope.subject ?? `test-${role}`, roles: [role], seconds: ROLE_TOKEN_SECONDS }),
            expiresAt: Date.now() + ROLE_TOKEN_SECONDS * 1000,
          };
        return minted.token;
      });
      roleClients.set(key, made);
    }
    return made;
  };
  function as(who: Role | string | null, scope: Scope = {}): Client {
    if (who !== null && isRole(who)) return roleClient(who, scope);
    return client(async () => who);
  }

  const platform: Platform = {
    ...client(async () => null),
    as,
    token,
    logs,
    get url() {
      return current.url;
    },
    database,
    mailbox,
    async historyQueue() {
      return (await current.mf.getQueueProducer("HISTORY", "equilibrium-api")) as unknown as Queue;
    },
    async scheduled(cron, at) {
      const worker = await current.mf.getWorker("equilibrium-api");
      await worker.scheduled({ cron, scheduledTime: new Date(at) });
    },
    async notificationsQueue() {
      return (await current.mf.getQueueProducer("NOTIFICATIONS", "equilibrium-api")) as unknown as Queue;
    },
    async restart() {
      await current.mf.dispose();
      current = await start();
    },
    async dispose() {
      await current.mf.dispose();
      await mailbox?.stop();
      if (ownsPersist) rmSync(persist, { recursive: true, force: true });
      try {
        if (ownsDatabase) dropDatabase(database.target, database.name);
      } catch {
        // the server may be down on purpose (fault tests); the database goes with its cluster
      }
    },
  };
  return platform;
}
