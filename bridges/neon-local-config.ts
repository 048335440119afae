/**
 * How `@neondatabase/serverless` reaches the local bridges instead of Neon. Pure data and a
 * setter, with no runtime imports, so a Worker can import this file as well as tests and scripts.
 */

/** Where the bridges listen: the fields of `startBridges()`'s result, or the CLI's ports. */
export interface NeonLocalPorts {
  neonWsProxyPort: number;
  /** The run's secret: the WebSocket proxy takes it as its path's first segment. */
  token: string;
  /** The HTTP query endpoint, token included (`http://127.0.0.1:5489/<token>/sql`); without it HTTP mode is left alone. */
  neonHttpUrl?: string;
  /** Where the bridges are reachable from the client; 127.0.0.1 by default. */
  host?: string;
}

/** The `neonConfig` settings for local use. */
export interface NeonLocalSettings {
  /** `host:port/<token>/v1` of the WebSocket proxy; the driver's target goes in `?address=`. */
  wsProxy: (host: string, port: number | string) => string;
  /** The proxy speaks plain `ws://`. */
  useSecureWebSocket: false;
  /** Postgres itself is not TLS behind the proxy, so TLS must not be pipelined either. */
  pipelineTLS: false;
  /** The pipelined startup assumes password auth; a local server with trust auth answers "invalid frontend message type 112". */
  pipelineConnect: false;
  /** For `neon()` (HTTP): a global-only setting, ignored by per-client configuration. */
  fetchEndpoint?: string;
}

/** What {@link NeonLocalConfig.apply} writes to: the `neonConfig` class itself, or one client's `client.neonConfig`. */
export interface NeonConfigTarget {
  wsProxy: string | ((host: string, port: number | string) => string);
  useSecureWebSocket: boolean;
  pipelineTLS: boolean;
  pipelineConnect: "password" | false;
  fetchEndpoint?: string | ((host: string, port: number | string, options?: { jwtAuth?: boolean }) => string);
}

export interface NeonLocalConfig {
  settings: NeonLocalSettings;
  /** The same as environment values for `db/client.ts` (`.dev.vars`). */
  env: { NEON_LOCAL_WS_PROXY: string; NEON_LOCAL_HTTP?: string };
  /** Writes the settings onto a `neonConfig` (global or per client). */
  apply(target: NeonConfigTarget): void;
}

/**
 * The `neonConfig` settings a client needs to use the bridges, as data and as a setter.
 *
 * @example
 * import { neonConfig } from "@neondatabase/serverless";
 * neonLocalConfig(await startBridges()).apply(neonConfig);
 * // or by hand: neonLocalConfig({ neonWsProxyPort: 5488, token, neonHttpUrl: `http://127.0.0.1:5489/${token}/sql` })
 */
export function neonLocalConfig(ports: NeonLocalPorts): NeonLocalConfig {
  const proxy = `${ports.host ?? "127.0.0.1"}:${ports.neonWsProxyPort}/${ports.token}/v1`;
  const settings: NeonLocalSettings = {
    wsProxy: (host, port) => `${proxy}?address=${host}:${port}`,
    useSecureWebSocket: false,
    pipelineTLS: false,
    pipelineConnect: false,
    ...(ports.neonHttpUrl ? { fetchEndpoint: ports.neonHttpUrl } : {}),
  };
  return {
    settings,
    env: { NEON_LOCAL_WS_PROXY: proxy, ...(ports.neonHttpUrl ? { NEON_LOCAL_HTTP: ports.neonHttpUrl } : {}) },
    apply(target) {
      target.wsProxy = settings.wsProxy;
      target.useSecureWebSocket = settings.useSecureWebSocket;
      target.pipelineTLS = settings.pipelineTLS;
      target.pipelineConnect = settings.pipelineConnect;
      if (settings.fetchEndpoint !== undefined && "fetchEndpoint" in target) target.fetchEndpoint = settings.fetchEndpoint;
    },
  };
}
