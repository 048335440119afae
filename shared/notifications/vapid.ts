/**
 * VAPID keys (RFC 8292) for Web Push: an ECDSA P-256 pair. Browsers subscribe with the public key
 * (`applicationServerKey`, the uncompressed point in base64url, `GET
 * /v1/notifications/vapid-public-key`); the notifications worker signs each push's JWT with the
 * private key, kept as a JWK (its x and y give the public key back).
 */

import { b64url, fromB64url } from "../kit/base64url";

export { b64url, fromB64url };

/** The public key of a private JWK, as browsers take it: 0x04 ‖ x ‖ y, base64url. */
export function vapidPublicKey(jwk: { x?: string; y?: string }): string {
  const x = fromB64url(jwk.x ?? "");
  const y = fromB64url(jwk.y ?? "");
  return b64url(new Uint8Array([4, ...x, ...y]));
}

/** A fresh pair (the dev command and tests): the private JWK as JSON, and the public key. */
export async function newVapidKeys(): Promise<{ privateJwk: string; publicKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as { x?: string; y?: string };
  return { privateJwk: JSON.stringify(jwk), publicKey: vapidPublicKey(jwk) };
}
