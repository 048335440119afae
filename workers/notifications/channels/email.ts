import type { StoredSubscription } from "../../../shared/notifications/subscription";
import { type Channel, httpResult, notConfigured, type Outgoing, PROVIDER_TIMEOUT_MS, unanswered } from "./port";

/**
 * Email through an HTTP email API in Resend's format: `POST {EMAIL_BASE_URL}/emails` with
 * `Authorization: Bearer <key>`, `Idempotency-Key: <delivery id>` (a repeat within a day is not
 * sent again), and `{from, to: [address], subject, text}`. 422 (the address is refused) disables
 * the target; 409 (the same key still in flight), 429 and 5xx are retried.
 */
export function emailChannel(env: { EMAIL_BASE_URL: string; EMAIL_API_KEY: string; EMAIL_FROM: string }): Channel {
  return {
    name: "email",
    provider: () => "email",
    async send(out: Outgoing) {
      if (!env.EMAIL_API_KEY) return notConfigured("email", "EMAIL_API_KEY");
      try {
        const res = await fetch(`${env.EMAIL_BASE_URL.replace(/\/$/, "")}/emails`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${env.EMAIL_API_KEY}`,
            "content-type": "application/json",
            "idempotency-key": out.id,
          },
          body: JSON.stringify({
            from: env.EMAIL_FROM,
            to: [String((out.subscription as StoredSubscription).target)],
            subject: out.message.title,
            text: out.message.body,
            headers: { "Content-Language": out.message.locale },
          }),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
        const text = await res.text().catch(() => "");
        if (res.status === 409) return { kind: "retry", reason: `409 ${text.slice(0, 200)}` };
        return httpResult(res, text, Date.now(), (status) => status === 422);
      } catch (err) {
        return unanswered(err);
      }
    },
  };
}
