import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzlePool } from "drizzle-orm/neon-serverless";
import * as schema from "./schema";

/**
 * The one way Workers reach Postgres: `@neondatabase/serverless` with drizzle, WebSocket pool
 * for transactions, HTTP for single reads. In production it talks to Neon; locally and in tests
 * the same driver talks to a real PostgreSQL through the bridges in `bridges/`, when
 * `NEON_LOCAL_WS_PROXY` / `NEON_LOCAL_HTTP` say where they are (each with the dev run's secret
 * token in its path: the bridges refuse anyone without it).
 */
export interface DatabaseEnv {
  DATABASE_URL?: string;
  /** Local only: host:port/path of the WebSocket bridge, e.g. "127.0.0.1:5488/<token>/v1". */
  NEON_LOCAL_WS_PROXY?: string;
  /** Local only: URL of the HTTP query bridge, e.g. "http://127.0.0.1:5489/<token>/sql". */
  NEON_LOCAL_HTTP?: string;
}

let configuredFor: string | undefined;

function configure(env: DatabaseEnv): string {
  if (!env.DATABASE_URL) throw new DatabaseUnavailable("DATABASE_URL is not configured");
  const key = `${env.NEON_LOCAL_WS_PROXY ?? ""}|${env.NEON_LOCAL_HTTP ?? ""}`;
  if (configuredFor !== key) {
    const proxy = env.NEON_LOCAL_WS_PROXY;
    if (proxy) {
      neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
      neonConfig.useSecureWebSocket = false;
      neonConfig.pipelineTLS = false;
      // Local servers use trust auth, which the pipelined startup cannot handle.
      neonConfig.pipelineConnect = false;
    }
    if (env.NEON_LOCAL_HTTP) {
      const endpoint = env.NEON_LOCAL_HTTP;
      neonConfig.fetchEndpoint = () => endpoint;
    }
    configuredFor = key;
  }
  return env.DATABASE_URL;
}

/**
 * Pooled connections for one request or one batch: end them when done (`await pool.end()`). Up
 * to three: the history writer writes a large batch's events in two halves beside one
 * transaction for the rest, all at once (connections open only when used).
 */
export function openPool(env: DatabaseEnv) {
  const pool = new Pool({ connectionString: configure(env), max: 3, connectionTimeoutMillis: 5_000 });
  // A dropped server surfaces as a rejected query; without this listener it would be unhandled.
  pool.on("error", () => undefined);
  return { pool, db: drizzlePool({ client: pool, schema }) };
}

/** Stateless HTTP queries: no connection to keep, one round trip each. */
export function httpDatabase(env: DatabaseEnv) {
  return drizzleHttp({ client: neon(configure(env)), schema });
}

export class DatabaseUnavailable extends Error {}

export type PoolDatabase = ReturnType<typeof openPool>["db"];
