import { type Channel, httpResult, notConfigured, type Outgoing, PROVIDER_TIMEOUT_MS, unanswered } from "./port";

/**
 * SMS through Twilio's REST API with `fetch` (its SDK does not run on Workers):
 * `POST {SMS_BASE_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth with the
 * account's SID and auth token, a form body `To`, `From`, `Body`. 201 is sent; Twilio's errors
 * for a number that cannot receive (21211 invalid, 21610 unsubscribed by STOP, 21614 not a
 * mobile) disable the target; 429 and 5xx are retried. Twilio takes no idempotency key: a
 * sender that dies after Twilio accepted may send a second text.
 */
const DEAD_NUMBER = new Set([21211, 21610, 21614]);

export function smsChannel(env: { SMS_BASE_URL: string; SMS_ACCOUNT: string; SMS_FROM: string }): Channel {
  return {
    name: "sms",
    provider: () => "sms",
    async send(out: Outgoing) {
      const [sid, token] = env.SMS_ACCOUNT.split(":");
      if (!sid || !token) return notConfigured("sms", "SMS_ACCOUNT");
      if (!env.SMS_FROM) return notConfigured("sms", "SMS_FROM");
      try {
        const res = await fetch(`${env.SMS_BASE_URL.replace(/\/$/, "")}/2010-04-01/Accounts/${sid}/Messages.json`, {
          method: "POST",
          headers: {
            authorization: `Basic ${btoa(`${sid}:${token}`)}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({
            To: String(out.subscription.target),
            From: env.SMS_FROM,
            Body: `${out.message.title}: ${out.message.body}`.slice(0, 1600),
          }).toString(),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
        const text = await res.text().catch(() => "");
        return httpResult(res, text, Date.now(), (_status, body) => {
          try {
            return DEAD_NUMBER.has((JSON.parse(body) as { code?: number }).code ?? 0);
          } catch {
            return false;
          }
        });
      } catch (err) {
        return unanswered(err);
      }
    },
  };
}
