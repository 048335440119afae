/**
 * Secrets kept at rest sealed (AES-256-GCM) under a key only the platform's Workers hold
 * (`NOTIFICATIONS_SEAL_KEY`, 32 bytes in base64): a webhook's signing secret must be readable to
 * sign with, unlike an API key (kept as a hash), so Postgres and the hubs keep it sealed and the
 * notifications worker opens it to sign. Sealed form: `v1.<iv>.<ciphertext>`, base64url.
 */

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const fromB64 = (text: string) => Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

async function sealKey(keyBase64: string): Promise<CryptoKey> {
  const raw = fromB64(keyBase64.trim());
  if (raw.length !== 32) throw new Error("NOTIFICATIONS_SEAL_KEY must be 32 bytes in base64");
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function seal(keyBase64: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await sealKey(keyBase64), new TextEncoder().encode(secret));
  return `v1.${b64url(iv)}.${b64url(new Uint8Array(data))}`;
}

export async function unseal(keyBase64: string, sealed: string): Promise<string> {
  const [version, iv, data] = sealed.split(".");
  if (version !== "v1" || !iv || !data) throw new Error("not a sealed secret");
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromB64(iv) }, await sealKey(keyBase64), fromB64(data));
  return new TextDecoder().decode(plain);
}

/** A fresh seal key (dev and tests). */
export function newSealKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}
