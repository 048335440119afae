import { importPKCS8, SignJWT } from "jose";
import { ExpiringMap } from "../../../shared/kit/expiring-map";
import { type Channel, httpResult, notConfigured, type Outgoing, PROVIDER_TIMEOUT_MS, unanswered } from "./port";

/**
 * Apple Push Notification service, token-based: an ES256 provider token (`kid` the key's id,
 * `iss` the team, renewed after 50 minutes: Apple refuses one older than an hour or renewed more
 * often than every 20), `POST {APNS_BASE_URL}/3/device/{token}` with `apns-topic` (the app's bundle
 * id), `apns-push-type: alert`, `apns-priority: 10`, `apns-id` (the delivery's id as a UUID: Apple
 * drops nothing by it, but it names the push in Apple's logs) and `{aps: {alert: {title, body}}}`.
 * 410 (Unregistered) and 400 BadDeviceToken / DeviceTokenNotForTopic disable the token;
 * 403 ExpiredProviderToken renews the provider token and retries; 429 and 5xx are retried.
 * APNs speaks only HTTP/2: a deployment reaches it through a relay that does (a Worker's fetch
 * may not negotiate HTTP/2 to an origin); `APNS_BASE_URL` points there.
 */

interface ApnsKey {
  teamId: string;
  keyId: string;
  privateKey: string;
}

const PROVIDER_TOKEN_MS = 50 * 60_000;
const providerTokens = new ExpiringMap<string, { token: string; until: number }>({ maxEntries: 8 });

async function providerToken(key: ApnsKey, now: number): Promise<string> {
  const held = providerTokens.get(key.keyId);
  if (held && held.until > now) return held.token;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: key.keyId })
    .setIssuer(key.teamId)
    .setIssuedAt(Math.floor(now / 1000))
    .sign(await importPKCS8(key.privateKey, "ES256"));
  providerTokens.set(key.keyId, { token, until: now + PROVIDER_TOKEN_MS });
  return token;
}

/** A delivery's id (`dlv_` and 32 hex digits) as the UUID apns-id asks for. */
export function apnsId(deliveryId: string): string {
  const hex = deliveryId.replace(/^dlv_/, "").padEnd(32, "0").slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function apnsChannel(env: { APNS_BASE_URL: string; APNS_KEY: string; APNS_TOPIC: string }): Channel {
  return {
    name: "apns",
    provider: () => "apns",
    async send(out: Outgoing) {
      if (!env.APNS_KEY) return notConfigured("apns", "APNS_KEY");
      if (!env.APNS_TOPIC) return notConfigured("apns", "APNS_TOPIC");
      const key = JSON.parse(env.APNS_KEY) as ApnsKey;
      try {
        const res = await fetch(`${env.APNS_BASE_URL.replace(/\/$/, "")}/3/device/${String(out.subscription.target)}`, {
          method: "POST",
          headers: {
            authorization: `bearer ${await providerToken(key, out.now)}`,
            "apns-topic": env.APNS_TOPIC,
            "apns-push-type": "alert",
            "apns-priority": "10",
            "apns-id": apnsId(out.id),
            "apns-expiration": String(Math.floor(out.now / 1000) + 86_400),
            "content-type": "application/json",
          },
          body: JSON.stringify({
            aps: { alert: { title: out.message.title, body: out.message.body }, sound: "default" },
            data: out.payload,
          }),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
        const text = await res.text().catch(() => "");
        if (res.status === 403 && /ExpiredProviderToken|InvalidProviderToken/.test(text)) {
          providerTokens.delete(key.keyId);
          return { kind: "retry", reason: `403 ${text.slice(0, 200)}`, afterMs: 1_000 };
        }
        return httpResult(
          res,
          text,
          Date.now(),
          (status, body) => status === 410 || /BadDeviceToken|DeviceTokenNotForTopic/.test(body),
        );
      } catch (err) {
        return unanswered(err);
      }
    },
  };
}
