import { newBridgeToken } from "./access";
import { isLoopbackHost } from "./loopback";
import { startNeonHttp } from "./neon-http";
import { neonLocalConfig } from "./neon-local-config";
import { startNeonWsProxy } from "./neon-ws-proxy";
import { startUpstashRest } from "./upstash-rest";

export { type NeonConfigTarget, type NeonLocalConfig, type NeonLocalPorts, neonLocalConfig } from "./neon-local-config";

/**
 * The local stand-ins for Neon and Upstash: the same driver code that reaches them in production
 * reaches a real PostgreSQL and redis-server on this machine through these bridges. They listen
 * on 127.0.0.1 only, the Postgres bridges only connect to loopback addresses, and all three serve
 * only clients that hold the run's secret token and refuse web pages (see access.ts).
 */

export interface BridgeOptions {
  /** The local PostgreSQL (127.0.0.1:5432 by default). Clients choose their database in the connection string. */
  postgres?: { host: string; port: number };
  /** The redis-server behind the Upstash REST API (127.0.0.1:6379 by default). */
  redis?: { host: string; port: number };
  /** The run's secret (Neon path segment and Upstash bearer token); a fresh random one by default. */
  token?: string;
  /** Browser origins that may use the bridges; none by default (the Workers and scripts send no Origin). */
  allowedOrigins?: readonly string[];
  /** Fixed ports (the CLI's); 0 or absent picks free ones. */
  ports?: { neonWs?: number; neonHttp?: number; upstash?: number };
}

/** What a Worker needs to reach the bridges: its `.dev.vars`, or Miniflare bindings. */
export interface BridgeBindings {
  /** `127.0.0.1:PORT/<token>/v1`, read by `db/client.ts`. */
  NEON_LOCAL_WS_PROXY: string;
  /** `http://127.0.0.1:PORT/<token>/sql`, read by `db/client.ts`. */
  NEON_LOCAL_HTTP: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

export interface Bridges {
  /** The run's secret; every client below carries it. */
  token: string;
  /** `neonConfig.wsProxy = (host, port) => "127.0.0.1:" + neonWsProxyPort + "/" + token + "/v1?address=" + host + ":" + port`. */
  neonWsProxyPort: number;
  /** `neonConfig.fetchEndpoint`, token included, e.g. `http://127.0.0.1:5489/<token>/sql`. */
  neonHttpUrl: string;
  /** `UPSTASH_REDIS_REST_URL`. */
  upstashUrl: string;
  /** `UPSTASH_REDIS_REST_TOKEN` (the run's token). */
  upstashToken: string;
  /** The same, as a Worker's bindings. */
  bindings: BridgeBindings;
  /** A connection string for the local server's `database`, as a Worker's DATABASE_URL. */
  databaseUrl(database: string): string;
  stop(): Promise<void>;
}

/**
 * Starts the three bridges (on free ports unless `ports` says otherwise) with a fresh token.
 *
 * @example
 * const bridges = await startBridges();
 * neonLocalConfig(bridges).apply(neonConfig);
 * const redis = new Redis({ url: bridges.upstashUrl, token: bridges.upstashToken });
 * await bridges.stop();
 */
export async function startBridges(options: BridgeOptions = {}): Promise<Bridges> {
  const postgres = options.postgres ?? { host: "127.0.0.1", port: 5432 };
  if (!isLoopbackHost(postgres.host)) throw new Error(`bridges: postgres must be on this machine, not ${postgres.host}`);
  const access = { token: options.token ?? newBridgeToken(), allowedOrigins: options.allowedOrigins };
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const ws = startNeonWsProxy({ ...access, port: options.ports?.neonWs ?? 0 });
    started.push(ws);
    const http = startNeonHttp({ ...access, port: options.ports?.neonHttp ?? 0 });
    started.push(http);
    const upstash = startUpstashRest({ ...access, port: options.ports?.upstash ?? 0, redis: options.redis });
    started.push(upstash);
    const neon = neonLocalConfig({ neonWsProxyPort: ws.port, token: access.token, neonHttpUrl: http.url });
    return {
      token: access.token,
      neonWsProxyPort: ws.port,
      neonHttpUrl: http.url,
      upstashUrl: upstash.url,
      upstashToken: access.token,
      bindings: {
        NEON_LOCAL_WS_PROXY: neon.env.NEON_LOCAL_WS_PROXY,
        NEON_LOCAL_HTTP: http.url,
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: access.token,
      },
      databaseUrl: (database) => `postgresql://postgres@${postgres.host}:${postgres.port}/${encodeURIComponent(database)}`,
      async stop() {
        await Promise.all(started.map((b) => b.stop()));
      },
    };
  } catch (error) {
    // A port already in use: do not leave the bridges that did start running.
    await Promise.all(started.map((b) => b.stop()));
    throw error;
  }
}

function envPort(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, not "${value}"`);
  return port;
}

if (import.meta.main) {
  const bridges = await startBridges({
    postgres: { host: process.env.PGHOST ?? "127.0.0.1", port: envPort("PGPORT", 5432) },
    redis: { host: process.env.REDIS_HOST ?? "127.0.0.1", port: envPort("REDIS_PORT", 6379) },
    // A fresh secret each run unless one is given (then at least 16 URL-safe characters).
    token: process.env.BRIDGE_TOKEN || undefined,
    ports: {
      neonWs: envPort("NEON_WS_PORT", 5488),
      neonHttp: envPort("NEON_HTTP_PORT", 5489),
      upstash: envPort("UPSTASH_PORT", 8079),
    },
  });
  const local = neonLocalConfig(bridges);
  console.log(`Bridges are running (Ctrl-C to stop):
  Neon WebSocket proxy  ws://${bridges.bindings.NEON_LOCAL_WS_PROXY}?address=<host>:<port>
  Neon HTTP queries     ${bridges.neonHttpUrl}
  Upstash REST          ${bridges.upstashUrl}
Every client needs this run's token (in the Neon paths above, and as the Upstash bearer token);
requests from web pages (with an Origin header) are refused.

Settings for a Worker (.dev.vars):
  DATABASE_URL=${bridges.databaseUrl("postgres")}
${Object.entries(bridges.bindings)
  .map(([name, value]) => `  ${name}=${value}`)
  .join("\n")}

neonConfig for @neondatabase/serverless (neonLocalConfig(...).apply(neonConfig) does this):
  neonConfig.wsProxy = (host, port) => "${local.env.NEON_LOCAL_WS_PROXY}?address=" + host + ":" + port
  neonConfig.useSecureWebSocket = false
  neonConfig.pipelineTLS = false
  neonConfig.pipelineConnect = false
  neonConfig.fetchEndpoint = "${bridges.neonHttpUrl}"`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      void bridges.stop().then(() => process.exit(0));
    });
  }
}
