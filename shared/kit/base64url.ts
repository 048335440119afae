/**
 * Base64url without padding (RFC 4648 §5), as JWS, VAPID and URL-safe secrets write bytes.
 *
 * @example b64url(new Uint8Array([251, 255])) // "-_8"
 */
export function b64url(bytes: Uint8Array): string {
  // The runtime's own encoder where it has one (workerd, Bun, current browsers): one call, where
  // the loop below spreads every byte through an iterator (a quarter of a quote's allocations).
  const native = (bytes as Uint8Array & Partial<Base64Encoder>).toBase64;
  if (native) return native.call(bytes, { alphabet: "base64url", omitPadding: true });
  let binary = "";
  // In slices: spreading a large array into one call would overflow the argument stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of a base64url text (padded or not). */
export function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
}

/** `Uint8Array.prototype.toBase64` (ES2026), not yet in TypeScript's ES2024 library. */
interface Base64Encoder {
  toBase64(options: { alphabet: "base64url"; omitPadding: boolean }): string;
}
