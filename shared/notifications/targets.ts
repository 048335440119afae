/**
 * Where a webhook may point. In production only public addresses: a target on a private,
 * loopback, link-local or otherwise internal address would let a subscriber make the platform
 * call into networks it should not reach. Locally (`allowLoopback`) the loopback address and
 * `localhost` are allowed too, over http, so a developer's own server can listen.
 *
 * A name is judged as written (Workers do not resolve names before fetching): literal addresses
 * in internal ranges and internal-only names are refused.
 *
 * @example webhookTargetRefusal("https://partner.example/hooks", false) // undefined (allowed)
 * webhookTargetRefusal("http://10.0.0.7/hook", false) // "10.0.0.7 is a private address"
 */
export function webhookTargetRefusal(target: string, allowLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return "not a URL";
  }
  if (url.username || url.password) return "credentials in a webhook URL are not allowed";
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const loopback = isLoopback(host);
  if (loopback && allowLoopback) return url.protocol === "http:" || url.protocol === "https:" ? undefined : "http(s) only";
  if (url.protocol !== "https:") return "webhooks are sent over https";
  if (loopback) return `${host} is a loopback address`;
  if (host === "" || /(^|\.)(local|localhost|internal|intranet|lan|home\.arpa|corp)$/.test(host) || !host.includes("."))
    return host.includes(":") ? internalV6(host) : `${host} is not a public name`;
  const v4 = ipv4(host);
  if (v4) return privateV4(v4) ? `${host} is a private address` : undefined;
  if (host.includes(":")) return internalV6(host);
  return undefined;
}

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  const v4 = ipv4(host);
  return v4 !== undefined && v4[0] === 127;
}

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

/** Private, shared, loopback, link-local, "this network", benchmarking, multicast and reserved IPv4. */
function privateV4([a, b]: number[]): boolean {
  if (a === undefined || b === undefined) return true;
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

/** Loopback, unspecified, unique-local, link-local and IPv4-mapped internal IPv6. */
function internalV6(host: string): string | undefined {
  if (host === "::" || host === "::1") return `${host} is not a public address`;
  if (/^f[cd]/.test(host) || /^fe[89ab]/.test(host)) return `${host} is a private address`;
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  const v4 = dotted
    ? ipv4(dotted)
    : hex
      ? [hex[1], hex[2]].flatMap((h) => [Number.parseInt(h ?? "0", 16) >> 8, Number.parseInt(h ?? "0", 16) & 255])
      : undefined;
  if ((dotted || hex) && (!v4 || privateV4(v4))) return `${host} is a private address`;
  return undefined;
}
