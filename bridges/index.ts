import { isLoopbackHost } from "./loopback";
import { startNeonHttp } from "./neon-http";
import { neonLocalConfig } from "./neon-local-config";
import { startNeonWsProxy } from "./neon-ws-proxy";
import { startUpstashRest } from "./upstash-rest";

export { type NeonConfigTarget, type NeonLocalConfig, type NeonLocalPorts, neonLocalConfig } from "./neon-local-config";

/**
 * The local stand-ins for Neon and Upstash: the same driver code that reaches them in production
 * reaches a real PostgreSQL and redis-server on this machine through these bridges. They listen
 * on 127.0.0.1 only, and the Postgres bridges only connect to loopback addresses.
 */

export interface BridgeOptions {
  /** The local PostgreSQL (127.0.0.1:5432 by default). Clients choose their database in the connection string. */
  postgres?: { host: string; port: number };
  /** The redis-server behind the Upstash REST API (127.0.0.1:6379 by default). */
  redis?: { host: string; port: number };
  /** The REST API's bearer token; a random one by default. */
  token?: string;
  /** Fixed ports (the CLI's); 0 or absent picks free ones. */
  ports?: { neonWs?: number; neonHttp?: number; upstash?: number };
}

export interface Bridges {
  /** `neonConfig.wsProxy = (host, port) => "127.0.0.1:" + neonWsProxyPort + "/v1?address=" + host + ":" + port`. */
  neonWsProxyPort: number;
  /** `neonConfig.fetchEndpoint`, e.g. `http://127.0.0.1:5489/sql`. */
  neonHttpUrl: string;
  /** `UPSTASH_REDIS_REST_URL`. */
  upstashUrl: string;
  /** `UPSTASH_REDIS_REST_TOKEN`. */
  upstashToken: string;
  /** A connection string for the local server's `database`, as a Worker's DATABASE_URL. */
  databaseUrl(database: string): string;
  stop(): Promise<void>;
}

/**
 * Starts the three bridges (on free ports unless `ports` says otherwise).
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
  const token = options.token ?? crypto.randomUUID();
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const ws = startNeonWsProxy({ port: options.ports?.neonWs ?? 0 });
    started.push(ws);
    const http = startNeonHttp({ port: options.ports?.neonHttp ?? 0 });
    started.push(http);
    const upstash = startUpstashRest({ port: options.ports?.upstash ?? 0, token, redis: options.redis });
    started.push(upstash);
    return {
      neonWsProxyPort: ws.port,
      neonHttpUrl: http.url,
      upstashUrl: upstash.url,
      upstashToken: token,
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

/** Development token for the CLI; a bridge on 127.0.0.1 guards nothing secret. */
const DEV_TOKEN = "equilibrium-local-upstash-token";

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
    token: process.env.UPSTASH_TOKEN || DEV_TOKEN,
    ports: {
      neonWs: envPort("NEON_WS_PORT", 5488),
      neonHttp: envPort("NEON_HTTP_PORT", 5489),
      upstash: envPort("UPSTASH_PORT", 8079),
    },
  });
  const local = neonLocalConfig(bridges);
  console.log(`Bridges are running (Ctrl-C to stop):
  Neon WebSocket proxy  ws://127.0.0.1:${bridges.neonWsProxyPort}/v1?address=<host>:<port>
  Neon HTTP queries     ${bridges.neonHttpUrl}
  Upstash REST          ${bridges.upstashUrl}

Settings for a Worker (.dev.vars):
  DATABASE_URL=${bridges.databaseUrl("postgres")}
  NEON_LOCAL_WS_PROXY=${local.env.NEON_LOCAL_WS_PROXY}
  NEON_LOCAL_HTTP=${local.env.NEON_LOCAL_HTTP}
  UPSTASH_REDIS_REST_URL=${bridges.upstashUrl}
  UPSTASH_REDIS_REST_TOKEN=${bridges.upstashToken}

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
