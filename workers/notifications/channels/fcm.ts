import { importPKCS8, SignJWT } from "jose";
import { ExpiringMap } from "../../../shared/kit/expiring-map";
import { type Channel, httpResult, notConfigured, type Outgoing, PROVIDER_TIMEOUT_MS, unanswered } from "./port";

/**
 * Firebase Cloud Messaging, HTTP v1: a service account's JWT (RS256, scope firebase.messaging)
 * is exchanged at its `token_uri` for an access token (kept until a minute before it expires),
 * then `POST {FCM_BASE_URL}/v1/projects/{project_id}/messages:send` with
 * `{message: {token, notification: {title, body}, data}}` (data values are strings). UNREGISTERED
 * (404) and SENDER_ID_MISMATCH (403) disable the token; 401 drops the access token and retries;
 * 429 and 5xx are retried.
 */

interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  token_uri: string;
}

const SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
const tokens = new ExpiringMap<string, { token: string; until: number }>({ maxEntries: 16 });

async function accessToken(account: ServiceAccount, now: number): Promise<string> {
  const held = tokens.get(account.client_email);
  if (held && held.until > now) return held.token;
  const key = await importPKCS8(account.private_key, "RS256");
  const iat = Math.floor(now / 1000);
  const assertion = await new SignJWT({ scope: SCOPE })
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(account.client_email)
    .setAudience(account.token_uri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key);
  const res = await fetch(account.token_uri, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString(),
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`token exchange answered ${res.status}`);
  const body = (await res.json()) as { access_token: string; expires_in: number };
  tokens.set(account.client_email, { token: body.access_token, until: now + (body.expires_in - 60) * 1000 });
  return body.access_token;
}

export function fcmChannel(env: { FCM_BASE_URL: string; FCM_SERVICE_ACCOUNT: string }): Channel {
  return {
    name: "fcm",
    provider: () => "fcm",
    async send(out: Outgoing) {
      if (!env.FCM_SERVICE_ACCOUNT) return notConfigured("fcm", "FCM_SERVICE_ACCOUNT");
      const account = JSON.parse(env.FCM_SERVICE_ACCOUNT) as ServiceAccount;
      try {
        const bearer = await accessToken(account, out.now);
        const res = await fetch(`${env.FCM_BASE_URL.replace(/\/$/, "")}/v1/projects/${account.project_id}/messages:send`, {
          method: "POST",
          headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
          body: JSON.stringify({
            message: {
              token: String(out.subscription.target),
              notification: { title: out.message.title, body: out.message.body },
              data: {
                delivery: out.id,
                topic: out.subscription.topic,
                market: out.subscription.market,
                payload: JSON.stringify(out.payload),
              },
            },
          }),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
        const text = await res.text().catch(() => "");
        if (res.status === 401) {
          tokens.delete(account.client_email);
          return { kind: "retry", reason: `401 ${text.slice(0, 200)}`, afterMs: 1_000 };
        }
        return httpResult(
          res,
          text,
          Date.now(),
          (status, body) => /UNREGISTERED|SENDER_ID_MISMATCH/.test(body) || status === 404,
        );
      } catch (err) {
        return unanswered(err);
      }
    },
  };
}
