import { isIPv4, isIPv6 } from "node:net";

/**
 * The bridges hand out unauthenticated access to whatever they connect to, so they only ever
 * connect to this machine: 127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x) and the name `localhost`.
 * Names are not resolved; anything that is not literally one of these is refused.
 *
 * @example isLoopbackHost("127.0.0.1") // true; isLoopbackHost("db.example.com") // false
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost") return true;
  if (isIPv4(bare)) return bare.startsWith("127.");
  if (!isIPv6(bare)) return false;
  // The URL parser writes every IPv6 spelling in one canonical form (0:0:0:0:0:0:0:1 → ::1).
  const canonical = new URL(`http://[${bare}]/`).hostname;
  return canonical === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/**
 * The address to dial for a loopback host: `localhost` is pinned to 127.0.0.1 so that a hosts
 * file cannot send it elsewhere, and IPv6 brackets are dropped.
 */
export function loopbackDialHost(host: string): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase() === "localhost" ? "127.0.0.1" : bare;
}

/** Splits `host:port`, `[::1]:port` or `::1:port` (the port is always after the last colon). */
export function splitHostPort(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}
