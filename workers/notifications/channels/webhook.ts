import { unseal } from "../../../shared/notifications/seal";
import { SIGNATURE_HEADER, signWebhook } from "../../../shared/notifications/signature";
import type { StoredSubscription } from "../../../shared/notifications/subscription";
import { webhookTargetRefusal } from "../../../shared/notifications/targets";
import { type Channel, httpResult, type Outgoing, PROVIDER_TIMEOUT_MS, unanswered } from "./port";

/**
 * Signed webhooks: the delivery as JSON, POSTed to the subscriber's URL with
 * `Equilibrium-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` under the subscription's
 * secret, and `Equilibrium-Delivery: <delivery id>` (the same on every attempt: a receiver that
 * saw it already answers 2xx and does nothing). Redirects are not followed. 410 disables the
 * target; 408, 429 and 5xx are retried; the target is checked again before each call.
 */
export function webhookChannel(env: { NOTIFICATIONS_SEAL_KEY: string; NOTIFICATIONS_LOCAL_TARGETS: string }): Channel {
  const allowLoopback = env.NOTIFICATIONS_LOCAL_TARGETS === "true";
  return {
    name: "webhook",
    provider: (s: StoredSubscription) => {
      try {
        return `webhook:${new URL(String(s.target)).origin}`;
      } catch {
        return "webhook:invalid";
      }
    },
    async send(out: Outgoing) {
      const url = String(out.subscription.target);
      const refusal = webhookTargetRefusal(url, allowLoopback);
      if (refusal) return { kind: "failed", reason: `target refused: ${refusal}`, disable: true };
      if (!out.subscription.sealedSecret)
        return { kind: "failed", reason: "the subscription has no signing secret", disable: true };
      const secret = await unseal(env.NOTIFICATIONS_SEAL_KEY, out.subscription.sealedSecret);
      const body = JSON.stringify(out.payload);
      const signature = await signWebhook(secret, body, Math.floor(out.now / 1000));
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "Equilibrium-Webhooks/1",
            [SIGNATURE_HEADER]: signature,
            "Equilibrium-Delivery": out.id,
          },
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
        return httpResult(res, await res.text().catch(() => ""), Date.now());
      } catch (err) {
        return unanswered(err);
      }
    },
  };
}
