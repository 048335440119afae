import type { Notice } from "../../../shared/notifications/matching";
import type { Composed } from "../../../shared/notifications/messages";
import type { ChannelName, StoredSubscription } from "../../../shared/notifications/subscription";

/**
 * The one port every channel's adapter stands behind: given a delivery, make the provider's
 * request as the provider documents it and say what its answer means — sent, retry (perhaps
 * after a time the provider named), or failed for good (and whether the target must be
 * disabled: an unregistered device, an address that bounces, a webhook that is gone). Breakers,
 * retries and the log are the sender's (`../send.ts`), the same for all.
 */

/** What a provider's answer means for a delivery. */
export type SendResult =
  | { kind: "sent"; providerId?: string }
  | { kind: "retry"; reason: string; afterMs?: number }
  | { kind: "failed"; reason: string; disable: boolean };

export interface Outgoing {
  /** The delivery's id: every provider that takes an idempotency key gets this one. */
  id: string;
  subscription: StoredSubscription;
  notices: readonly Notice[];
  message: Composed;
  /** What a machine reads (a webhook's body; push and FCM data). */
  payload: Record<string, unknown>;
  now: number;
}

export interface Channel {
  readonly name: ChannelName;
  /** Whose breaker a delivery goes through: the provider, or for webhooks the receiving origin. */
  provider(s: StoredSubscription): string;
  send(out: Outgoing): Promise<SendResult>;
}

/** A provider call's limit: well inside a claim's lease, so a slow provider never makes a second send. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/** A channel whose credentials this deployment lacks: its deliveries are parked saying so. */
export function notConfigured(name: ChannelName, missing: string): SendResult {
  return { kind: "failed", reason: `${name} is not configured here (${missing} is empty)`, disable: false };
}

/** Seconds or an HTTP date in Retry-After, as milliseconds from now (undefined when absent or unreadable). */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.min(seconds * 1000, 3_600_000));
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.min(at - now, 3_600_000)) : undefined;
}

/**
 * The answer of most HTTP providers: 2xx sent; 408, 425, 429 and 5xx retry (after Retry-After
 * when given); 410 gone for good (disable); any other answer failed without disabling, unless
 * `gone` recognises the provider's own words for a dead target.
 */
export function httpResult(
  res: Response,
  text: string,
  now: number,
  gone: (status: number, text: string) => boolean = (status) => status === 410,
): SendResult {
  if (res.ok) return { kind: "sent" };
  const reason = `${res.status} ${text.slice(0, 200)}`.trim();
  if (res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500)
    return { kind: "retry", reason, afterMs: retryAfterMs(res.headers.get("retry-after"), now) };
  return { kind: "failed", reason, disable: gone(res.status, text) };
}

/** A call that never got an answer (network, timeout): the outcome is unknown, so retry with the same idempotency key. */
export function unanswered(err: unknown): SendResult {
  const name = (err as Error)?.name;
  return { kind: "retry", reason: name === "TimeoutError" ? "no answer in time" : `unreachable: ${String(err).slice(0, 200)}` };
}
