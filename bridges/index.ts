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
  ports?: BridgePorts;
  /**
   * Ports to take when free, else a free one each (the dev command's defaults, so a second copy
   * beside a running one comes up). `ports` wins where both name a bridge.
   */
  preferredPorts?: BridgePorts;
}

export interface BridgePorts {
  neonWs?: number;
  neonHttp?: number;
  upstash?: number;
}

/** Each bridge's port variable and its default: the CLI's and the dev command's. */
export const BRIDGE_PORTS = {
  neonWs: { variable: "NEON_WS_PORT", default: 5488 },
  neonHttp: { variable: "NEON_HTTP_PORT", default: 5489 },
  upstash: { variable: "UPSTASH_PORT", default: 8079 },
} as const satisfies Record<keyof BridgePorts, { variable: string; default: number }>;

/**
 * The bridges' ports from the environment: one set in its variable is fixed (taken, or the start
 * fails saying so); one left unset is its default when free, else any free port.
 *
 * @example startBridges({ ...bridgePortsFromEnv() }) // beside a running copy: free ports, not a failure
 */
export function bridgePortsFromEnv(
  env: Record<string, string | undefined> = process.env,
): Pick<BridgeOptions, "ports" | "preferredPorts"> {
  const ports: BridgePorts = {};
  const preferredPorts: BridgePorts = {};
  for (const [bridge, { variable, default: fallback }] of Object.entries(BRIDGE_PORTS) as Array<
    [keyof BridgePorts, (typeof BRIDGE_PORTS)[keyof BridgePorts]]
  >) {
    const value = env[variable];
    if (value === undefined || value === "") preferredPorts[bridge] = fallback;
    else ports[bridge] = envPort(variable, value);
  }
  return { ports, preferredPorts };
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
  /** Preferred ports that were taken, and where each bridge went instead. */
  moved: Array<{ bridge: keyof BridgePorts; wanted: number; port: number }>;
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
  const moved: Bridges["moved"] = [];
  /** Starts one bridge on its fixed port, or its preferred one when free, or any free one. */
  const start = <B extends { port: number; stop(): Promise<void> }>(
    bridge: keyof BridgePorts,
    listen: (port: number) => B,
  ): B => {
    const fixed = options.ports?.[bridge];
    const preferred = options.preferredPorts?.[bridge];
    let server: B;
    if (fixed || !preferred)
      try {
        server = listen(fixed ?? 0);
      } catch (error) {
        if ((error as { code?: string }).code !== "EADDRINUSE") throw error;
        throw new Error(
          `port ${fixed} (${BRIDGE_PORTS[bridge].variable}) is in use: choose another, or leave it unset for a free one`,
        );
      }
    else
      try {
        server = listen(preferred);
      } catch (error) {
        if ((error as { code?: string }).code !== "EADDRINUSE") throw error;
        server = listen(0);
        moved.push({ bridge, wanted: preferred, port: server.port });
      }
    started.push(server);
    return server;
  };
  try {
    const ws = start("neonWs", (port) => startNeonWsProxy({ ...access, port }));
    const http = start("neonHttp", (port) => startNeonHttp({ ...access, port }));
    const upstash = start("upstash", (port) => startUpstashRest({ ...access, port, redis: options.redis }));
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
      moved,
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

function envPort(name: string, value: string | undefined, fallback = 0): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, not "${value}"`);
  return port;
}

if (import.meta.main) {
  const bridges = await startBridges({
    postgres: { host: process.env.PGHOST ?? "127.0.0.1", port: envPort("PGPORT", process.env.PGPORT, 5432) },
    redis: { host: process.env.REDIS_HOST ?? "127.0.0.1", port: envPort("REDIS_PORT", process.env.REDIS_PORT, 6379) },
    // A fresh secret each run unless one is given (then at least 16 URL-safe characters).
    token: process.env.BRIDGE_TOKEN || undefined,
    ...bridgePortsFromEnv(),
  });
  for (const m of bridges.moved) console.log(`port ${m.wanted} is taken: ${BRIDGE_PORTS[m.bridge].variable}=${m.port} this time`);
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
