/**
 * Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s steps), as authenticator
 * apps produce them. Pure apart from Web Crypto; the time is passed in.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32, no padding: how authenticator apps take secrets. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.toUpperCase().replace(/=+$/, "").replace(/\s/g, "");
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new RangeError("not base32");
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/**
 * The code for a secret at a time step (HOTP of the step, RFC 4226 dynamic truncation).
 * @example await totpAt(secret, Math.floor(Date.now() / 30_000)) // "492039"
 */
export async function totpAt(secret: Uint8Array<ArrayBuffer>, step: number, digits = 6): Promise<string> {
  const counter = new Uint8Array(8);
  let s = step;
  for (let i = 7; i >= 0; i--) {
    counter[i] = s & 255;
    s = Math.floor(s / 256);
  }
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, counter));
  const offset = (mac[19] ?? 0) & 15;
  const code =
    (((mac[offset] ?? 0) & 127) << 24) | ((mac[offset + 1] ?? 0) << 16) | ((mac[offset + 2] ?? 0) << 8) | (mac[offset + 3] ?? 0);
  return String(code % 10 ** digits).padStart(digits, "0");
}

/**
 * The time step a code belongs to: the current step or one either side (clock drift), compared
 * in constant time; undefined if none. A code is single-use: the caller accepts a step only if
 * it is later than the last one it accepted (`users.totp_last_step`).
 * @example await matchTotp(secret, "492039", Date.now()) // 59_652_341, the step it was made for
 */
export async function matchTotp(secretBase32: string, code: string, nowMs: number): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const secret = base32Decode(secretBase32);
  const step = Math.floor(nowMs / 30_000);
  let matched: number | undefined;
  for (const s of [step - 1, step, step + 1]) if (constantTimeEqual(await totpAt(secret, s), code)) matched = s;
  return matched;
}

/** Whether a code is valid now (one step of drift either side); see `matchTotp` for single use. */
export async function verifyTotp(secretBase32: string, code: string, nowMs: number): Promise<boolean> {
  return (await matchTotp(secretBase32, code, nowMs)) !== undefined;
}

export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The URI an authenticator app scans (as a QR code) to enrol. */
export function otpauthUri(issuer: string, account: string, secretBase32: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  return `otpauth://totp/${label}?secret=${secretBase32}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
