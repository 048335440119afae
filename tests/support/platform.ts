import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { type Bridges, startBridges } from "../../bridges";
import { migrateDatabase } from "../../scripts/migrate";
import {
  connectionString,
  createDatabase,
  databaseExists,
  dropDatabase,
  type PostgresTarget,
  psql,
} from "../../scripts/postgres";
import { mintToken, newAuthSigningKeys, newQuoteSigningKey, type TokenClaims } from "../../scripts/signing-key";
import { ROLES } from "../../workers/api/auth/principal";
import { ROUTE_CLASSES } from "../../workers/api/rate-limit";
import { buildWorker, quietWrangler, ROOT, WORKERS } from "./build";

/**
 * The real platform — the edge worker with its Durable Objects and the history writer,
 * joined by the history queue — running in workerd through Miniflare with the bindings their
 * `wrangler.toml` files declare, writing to a real PostgreSQL (a fresh database per platform)
 * through the Neon driver and the local bridges. State lives under a directory that survives
 * `restart()`.
 */
/** Calls the API as one principal (or as nobody, with a null token). */
export interface Client {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json<T = unknown>(path: string, body: unknown, method?: string): Promise<{ status: number; body: T; headers: Headers }>;
}

export interface Platform extends Client {
  url: string;
  /** Signs an access token with this platform's key (default: every role, every market). */
  token(claims?: Partial<TokenClaims>): Promise<string>;
  /** A client that calls with this token instead of the default all-roles one. */
  as(token: string | null): Client;
  /** Everything the Workers logged (console output), for checks that secrets never appear. */
  logs: string[];
  /** The Postgres database this platform writes history to. */
  database: { target: PostgresTarget; name: string; url: string };
  /** Stops workerd and starts it again on the same state (a deploy or a crash, as far as state goes). */
  restart(): Promise<void>;
  /** The history queue as the Workers see it: for sending what no API route would (hostile messages). */
  historyQueue(): Promise<Queue>;
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
  database?: Platform["database"];
}

export const MACHINE_POSTGRES: PostgresTarget = { host: "127.0.0.1", port: 5432, user: "postgres" };

let bridges: Promise<Bridges> | undefined;
const templates = new Map<string, Promise<string>>();

/** One set of bridges per test process: the proxies pick their target per connection. */
export function localBridges(): Promise<Bridges> {
  bridges ??= startBridges({});
  return bridges;
}

/** A database with every migration applied, named after the migrations so a schema change makes a new one. */
function template(target: PostgresTarget): Promise<string> {
  const key = `${target.host}:${target.port}`;
  let t = templates.get(key);
  if (!t) {
    t = (async () => {
      const dir = resolve(ROOT, "db/migrations");
      const hash = createHash("sha256");
      for (const f of readdirSync(dir)
        .filter((x) => x.endsWith(".sql"))
        .sort())
        hash.update(readFileSync(join(dir, f)));
      const name = `equilibrium_template_${hash.digest("hex").slice(0, 10)}`;
      if (!databaseExists(target, name)) {
        const building = `${name}_${process.pid}`;
        createDatabase(target, building);
        await migrateDatabase(await neonEnv(connectionString(target, building)));
        try {
          createDatabase(target, name, building);
        } catch (err) {
          if (!databaseExists(target, name)) throw err; // another run made it meanwhile
        }
        dropDatabase(target, building);
      }
      return name;
    })();
    templates.set(key, t);
  }
  return t;
}

/** The bindings that point the Neon driver at a database through the local bridges. */
export async function neonEnv(url: string) {
  const b = await localBridges();
  return { DATABASE_URL: url, NEON_LOCAL_WS_PROXY: b.bindings.NEON_LOCAL_WS_PROXY, NEON_LOCAL_HTTP: b.bindings.NEON_LOCAL_HTTP };
}

/** Drops test databases left by runs that no longer exist (their pid is in the name). */
function sweepStale(target: PostgresTarget): void {
  const names = psql(target, "postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'equilibrium_test_%'")
    .split("\n")
    .filter(Boolean);
  for (const name of names) {
    const pid = Number(name.split("_")[2]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      dropDatabase(target, name);
    }
  }
}
const swept = new Set<string>();

/** A fresh, migrated database. */
export async function freshDatabase(target: PostgresTarget = MACHINE_POSTGRES) {
  const key = `${target.host}:${target.port}`;
  if (!swept.has(key)) {
    swept.add(key);
    sweepStale(target);
  }
  const name = `equilibrium_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  createDatabase(target, name, await template(target));
  return { target, name, url: connectionString(target, name) };
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  Object.assign(process.env, quietWrangler);
  buildWorker();
  const persist = options.persistDir ?? mkdtempSync(join(tmpdir(), "equilibrium-"));
  const ownsPersist = options.persistDir === undefined;
  const signingKey = options.signingKey ?? (await newQuoteSigningKey());
  const authKeys = options.authKeys ?? (await newAuthSigningKeys());
  const issuer = "https://equilibrium.local";
  const token = (claims: Partial<TokenClaims> = {}) =>
    mintToken(authKeys, issuer, { subject: "test-superuser", roles: [...ROLES], markets: ["*"], ...claims });
  const defaultToken = await token();
  const upstash = await localBridges();
  // Many platforms share the machine's Redis: each limits in its own key space, kept across restart().
  const rateLimitPrefix = `platform:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  // Tests drive far more traffic per principal than production allows; rate-limit tests set their own.
  const generous = JSON.stringify(Object.fromEntries(ROUTE_CLASSES.map((k) => [k, { requests: 1_000_000, windowSeconds: 60 }])));
  const logs: string[] = [];
  const database = options.database ?? (await freshDatabase(options.postgres));
  const ownsDatabase = options.database === undefined;
  const dbBindings = await neonEnv(database.url);

  const worker = (w: (typeof WORKERS)[keyof typeof WORKERS], extra: Record<string, unknown>) => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions(w.config);
    return {
      ...workerOptions,
      name: w.name,
      modulesRules: undefined,
      modules: true,
      scriptPath: join(w.bundle, "index.js"),
      modulesRoot: w.bundle,
      bindings: { ...(workerOptions.bindings as Record<string, unknown>), ...dbBindings, ...extra },
    };
  };

  const start = async () => {
    const converted = convertV4MiniflareOptions({
      port: 0,
      workers: [
        worker(WORKERS.api, {
          QUOTE_SIGNING_KEY: signingKey,
          AUTH_SIGNING_KEYS: authKeys,
          UPSTASH_REDIS_REST_URL: upstash.upstashUrl,
          UPSTASH_REDIS_REST_TOKEN: upstash.upstashToken,
          RATE_LIMIT_PREFIX: rateLimitPrefix,
          RATE_LIMITS: generous,
          ...options.bindings,
        }),
        worker(WORKERS.history, {}),
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
  const client = (auth: string | null): Client => ({
    fetch: (path, init) => {
      const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
      if (auth && !headers.has("authorization")) headers.set("authorization", `Bearer ${auth}`);
      return fetch(current.url + path, { ...init, headers });
    },
    async json(path, body, method = "POST") {
      const headers: Record<string, string> = { "content-type": "application/json" };
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
  const platform: Platform = {
    ...client(defaultToken),
    token,
    as: client,
    logs,
    get url() {
      return current.url;
    },
    database,
    async historyQueue() {
      return (await current.mf.getQueueProducer("HISTORY", "equilibrium-api")) as unknown as Queue;
    },
    async restart() {
      await current.mf.dispose();
      current = await start();
    },
    async dispose() {
      await current.mf.dispose();
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
