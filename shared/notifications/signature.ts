/**
 * Webhook signatures: `Equilibrium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
 * keyed with the subscription's secret (shown once, when it is created). A receiver recomputes
 * the HMAC over the timestamp, a dot and the raw body, compares in constant time, and refuses a
 * timestamp far from its clock (a replayed request). WebCrypto only: the same code signs in the
 * Worker and verifies in tests and in a partner's Node or Bun back end.
 *
 * @example
 * const header = await signWebhook(secret, body, 1_767_000_000);   // "t=1767000000,v1=5f0c…"
 * await verifyWebhook(secret, body, header, 1_767_000_030)           // true (30 s of skew)
 */

export const SIGNATURE_HEADER = "Equilibrium-Signature";
/** A receiver should refuse signatures older (or newer) than this. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

async function hmac(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function signWebhook(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${await hmac(secret, `${unixSeconds}.${body}`)}`;
}

/** Whether a header signs `body` with `secret`, within the tolerance of `nowSeconds`. */
export async function verifyWebhook(
  secret: string,
  body: string,
  header: string | null,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): Promise<boolean> {
  if (!header) return false;
  const parts = new Map(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1");
  if (!Number.isInteger(t) || !v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = await hmac(secret, `${t}.${body}`);
  if (expected.length !== v1.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ v1.charCodeAt(i);
  return diff === 0;
}

/** A fresh signing secret: 32 random bytes, as `whsec_` and base64url. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "")}`;
}
