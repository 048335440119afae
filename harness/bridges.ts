import { type Bridges, startBridges } from "../bridges";

let bridges: Promise<Bridges> | undefined;

/**
 * The Neon and Upstash bridges, started once per process and shared by every platform in it:
 * the Postgres proxies pick their server per connection, and each platform limits rates in a
 * key space of its own.
 */
export function localBridges(): Promise<Bridges> {
  bridges ??= startBridges({});
  return bridges;
}

/** The bindings that point the Neon driver at a database through the local bridges. */
export async function neonEnv(url: string) {
  const b = await localBridges();
  return { DATABASE_URL: url, NEON_LOCAL_WS_PROXY: b.bindings.NEON_LOCAL_WS_PROXY, NEON_LOCAL_HTTP: b.bindings.NEON_LOCAL_HTTP };
}
