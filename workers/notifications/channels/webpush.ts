import type { WebPushTarget } from "../../../shared/notifications/subscription";
import { b64url, fromB64url, vapidPublicKey } from "../../../shared/notifications/vapid";
import { type Channel, httpResult, notConfigured, type Outgoing, PROVIDER_TIMEOUT_MS, unanswered } from "./port";

/**
 * Web Push with WebCrypto only (the `web-push` package needs Node's https): the payload is
 * encrypted for the browser's keys as RFC 8291 says (`aes128gcm`, RFC 8188: an ephemeral ECDH
 * P-256 key, HKDF-SHA-256 with the subscription's auth secret, one AES-128-GCM record), and the
 * push service is shown who we are with a VAPID JWT (RFC 8292, ES256, `aud` the endpoint's
 * origin, valid 12 h) in `Authorization: vapid t=<jwt>, k=<public key>`. 201 is sent; 404 and 410
 * mean the browser unsubscribed (disable); 429 and 5xx are retried.
 */

const encoder = new TextEncoder();
type Bytes = Uint8Array<ArrayBuffer>;
const utf8 = (text: string): Bytes => new Uint8Array(encoder.encode(text));
const concat = (...parts: Bytes[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

async function hkdf(salt: Bytes, ikm: Bytes, info: Bytes, bytes: number): Promise<Bytes> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8));
}

/** The keys both ends derive (RFC 8291 §3.3–3.4), from the shared ECDH secret. */
export async function contentKeys(
  shared: Bytes,
  auth: Bytes,
  browserPublic: Bytes,
  serverPublic: Bytes,
  salt: Bytes,
): Promise<{ key: Bytes; nonce: Bytes }> {
  const ikm = await hkdf(auth, shared, concat(utf8("WebPush: info\0"), browserPublic, serverPublic), 32);
  return {
    key: await hkdf(salt, ikm, utf8("Content-Encoding: aes128gcm\0"), 16),
    nonce: await hkdf(salt, ikm, utf8("Content-Encoding: nonce\0"), 12),
  };
}

/** The body a push service carries: salt ‖ record size ‖ key id length ‖ our public key ‖ one encrypted record. */
export async function encryptPayload(payload: Bytes, target: WebPushTarget): Promise<Uint8Array> {
  const browserPublic = fromB64url(target.keys.p256dh);
  const auth = fromB64url(target.keys.auth);
  const ours = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
  const serverPublic = new Uint8Array((await crypto.subtle.exportKey("raw", ours.publicKey)) as ArrayBuffer);
  const theirs = await crypto.subtle.importKey("raw", browserPublic, { name: "ECDH", namedCurve: "P-256" }, false, []);
  // The runtime takes `public` (the Workers' types spell it `$public`).
  const ecdh = { name: "ECDH", public: theirs } as unknown as Parameters<typeof crypto.subtle.deriveBits>[0];
  const shared = new Uint8Array(await crypto.subtle.deriveBits(ecdh, ours.privateKey, 256));
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const { key, nonce } = await contentKeys(shared, auth, browserPublic, serverPublic, salt);
  const aes = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  // One record, the last: the payload and the 0x02 delimiter (no padding).
  const record = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, aes, concat(payload, new Uint8Array([2]))),
  );
  const header = new Uint8Array(21);
  header.set(salt);
  new DataView(header.buffer).setUint32(16, 4096);
  header[20] = serverPublic.length;
  return concat(header, serverPublic, record);
}

/** A VAPID JWT for the push service at `audience`, signed with the private JWK. */
export async function vapidJwt(privateJwk: JsonWebKey, audience: string, subject: string, nowSeconds: number): Promise<string> {
  const { key_ops: _, ext: __, ...jwk } = privateJwk as JsonWebKey & { key_ops?: unknown; ext?: unknown };
  const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const part = (value: unknown) => b64url(utf8(JSON.stringify(value)));
  const unsigned = `${part({ typ: "JWT", alg: "ES256" })}.${part({ aud: audience, exp: nowSeconds + 12 * 3600, sub: subject })}`;
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, utf8(unsigned)));
  return `${unsigned}.${b64url(signature)}`;
}

export function webPushChannel(env: { VAPID_PRIVATE_KEY: string; VAPID_SUBJECT: string }): Channel {
  return {
    name: "webpush",
    provider: (s) => {
      try {
        return `webpush:${new URL((s.target as WebPushTarget).endpoint).host}`;
      } catch {
        return "webpush:invalid";
      }
    },
    async send(out: Outgoing) {
      if (!env.VAPID_PRIVATE_KEY) return notConfigured("webpush", "VAPID_PRIVATE_KEY");
      const target = out.subscription.target as WebPushTarget;
      const jwk = JSON.parse(env.VAPID_PRIVATE_KEY) as JsonWebKey;
      const endpoint = new URL(target.endpoint);
      const jwt = await vapidJwt(jwk, endpoint.origin, env.VAPID_SUBJECT, Math.floor(out.now / 1000));
      const body = await encryptPayload(
        utf8(JSON.stringify({ title: out.message.title, body: out.message.body, data: out.payload })),
        target,
      );
      try {
        const res = await fetch(endpoint, {
          method: "POST",
          headers: {
            authorization: `vapid t=${jwt}, k=${vapidPublicKey(jwk)}`,
            "content-encoding": "aes128gcm",
            "content-type": "application/octet-stream",
            ttl: "86400",
            urgency: "normal",
          },
          body,
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
        return httpResult(res, await res.text().catch(() => ""), Date.now(), (status) => status === 404 || status === 410);
      } catch (err) {
        return unanswered(err);
      }
    },
  };
}
