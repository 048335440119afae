import { notificationHubStub } from "../../shared/contracts/objects";
import { CircuitBreaker } from "../../shared/kit/breaker";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import { hotspotsFor } from "../../shared/notifications/matching";
import { compose } from "../../shared/notifications/messages";
import type { ChannelName } from "../../shared/notifications/subscription";
import { apnsChannel } from "./channels/apns";
import { emailChannel } from "./channels/email";
import { fcmChannel } from "./channels/fcm";
import type { Channel, Outgoing, SendResult } from "./channels/port";
import { smsChannel } from "./channels/sms";
import { webhookChannel } from "./channels/webhook";
import { webPushChannel } from "./channels/webpush";
import type { Claimed, NotificationHub, Settlement } from "./hub";

/**
 * The sending half of the worker: delivery jobs from the queue are claimed from their market's
 * hub, sent through their channel's adapter behind a breaker per provider, and settled back to
 * the hub (which retries with backoff, parks, or disables the target). Sends of a batch go
 * concurrently; each hub is asked once to claim and once to settle per batch.
 */

/** A provider failing this often in a row is left alone for a while (then probed, with backoff and jitter). */
const BREAKER = { failureThreshold: 5, openMs: 2_000, maxOpenMs: 60_000 };

// One breaker per provider (webhook receivers by origin), per isolate; bounded.
const breakers = new ExpiringMap<string, CircuitBreaker>({ maxEntries: 10_000, ttlMs: 3_600_000 });

export function channels(env: NotificationsEnv): Record<ChannelName, Channel> {
  return {
    webhook: webhookChannel(env),
    email: emailChannel(env),
    sms: smsChannel(env),
    webpush: webPushChannel(env),
    fcm: fcmChannel(env),
    apns: apnsChannel(env),
  };
}

export const hub = (env: NotificationsEnv, market: string) =>
  notificationHubStub(env, market) as unknown as DurableObjectStub<NotificationHub>;

/** What a webhook receiver (and push data) gets: the delivery, its notices and its words. */
export function payloadOf(c: Claimed, message: ReturnType<typeof compose>, now: number): Record<string, unknown> {
  const s = c.subscription;
  return {
    id: c.id,
    type: "notification",
    subscription: s.id,
    topic: s.topic,
    market: s.market,
    threshold: s.thresholdTenths === null ? null : s.thresholdTenths / 10,
    title: message.title,
    body: message.body,
    locale: message.locale,
    notices: c.notices.map((n) => ({
      id: n.id,
      at: new Date(n.at).toISOString(),
      ...(n.cell === undefined ? {} : { cell: n.cell, from: (n.fromTenths ?? 10) / 10, multiplier: (n.toTenths ?? 10) / 10 }),
      ...(n.status === undefined ? {} : { status: n.status }),
      ...(n.cap === undefined ? {} : { cap: n.cap }),
      ...(n.reason === undefined ? {} : { reason: n.reason }),
      ...(n.subject === undefined ? {} : { subject: n.subject }),
      ...(n.pending === undefined ? {} : { pending: n.pending }),
      ...(n.hotspots === undefined ? {} : { horizonMinutes: n.horizonMinutes, hotspots: hotspotsFor(s, n) }),
    })),
    sentAt: new Date(now).toISOString(),
  };
}

async function sendOne(adapters: Record<ChannelName, Channel>, c: Claimed): Promise<SendResult> {
  const adapter = adapters[c.subscription.channel];
  const key = adapter.provider(c.subscription);
  const breaker = breakers.getOrInsertComputed(key, () => new CircuitBreaker(BREAKER));
  const now = Date.now();
  if (!breaker.allow(now)) {
    const wait = Math.max(1_000, breaker.snapshot().retryAt - now);
    return { kind: "retry", reason: `${key} is failing: waiting for its breaker`, afterMs: wait };
  }
  const message = compose(c.subscription, c.notices);
  const out: Outgoing = {
    id: c.id,
    subscription: c.subscription,
    notices: c.notices,
    message,
    payload: payloadOf(c, message, now),
    now,
  };
  let result: SendResult;
  try {
    result = await adapter.send(out);
  } catch (err) {
    result = { kind: "retry", reason: `the ${adapter.name} adapter failed: ${String(err).slice(0, 200)}` };
  }
  // Only a provider's trouble opens its breaker; a refusal of one target says nothing about the provider.
  if (result.kind === "retry") breaker.failure(Date.now(), result.reason);
  else breaker.success(Date.now());
  return result;
}

/** Claims, sends and settles one market's delivery jobs. */
export async function deliver(env: NotificationsEnv, market: string, ids: string[]): Promise<number> {
  const stub = hub(env, market);
  const claimed = await stub.claim(market, ids);
  if (claimed.length === 0) return 0;
  const adapters = channels(env);
  const settlements: Settlement[] = await Promise.all(
    claimed.map(async (c) => ({ id: c.id, claim: c.claim, result: await sendOne(adapters, c) })),
  );
  await stub.settle(market, settlements);
  const sent = settlements.filter((s) => s.result.kind === "sent").length;
  env.METRICS?.writeDataPoint({
    blobs: ["delivered", market],
    doubles: [sent, settlements.length - sent],
    indexes: ["notifications"],
  });
  return sent;
}
