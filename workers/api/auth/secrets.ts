import { b64url } from "../../../shared/kit/base64url";

/**
 * Secrets at rest: API keys and refresh tokens are long random strings, so a SHA-256 of them
 * is enough; passwords are short and guessable, so they get PBKDF2 (100,000 rounds of SHA-256,
 * the most Workers' Web Crypto allows) with a random salt.
 */

const PBKDF2_ROUNDS = 100_000;

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** A random secret, URL-safe. */
export function randomSecret(bytes = 32): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return b64url(b);
}

export async function sha256(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

export async function hashPassword(password: string, salt = crypto.getRandomValues(new Uint8Array(16))): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: PBKDF2_ROUNDS }, key, 256);
  return `pbkdf2-sha256$${PBKDF2_ROUNDS}$${hex(salt)}$${hex(bits)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, rounds, salt, digest] = stored.split("$");
  if (scheme !== "pbkdf2-sha256" || Number(rounds) !== PBKDF2_ROUNDS || !salt || !digest) return false;
  const again = await hashPassword(password, unhex(salt));
  return timingSafeEqual(again, stored);
}

export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
