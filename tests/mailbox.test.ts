import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Mailbox, mailboxBindings, startMailbox } from "../bridges/mailbox";
import type { Notice } from "../shared/notifications/matching";
import { compose } from "../shared/notifications/messages";
import { newSealKey, seal } from "../shared/notifications/seal";
import { newWebhookSecret } from "../shared/notifications/signature";
import type { StoredSubscription } from "../shared/notifications/subscription";
import { b64url, newVapidKeys } from "../shared/notifications/vapid";
import { apnsChannel } from "../workers/notifications/channels/apns";
import { emailChannel } from "../workers/notifications/channels/email";
import { fcmChannel } from "../workers/notifications/channels/fcm";
import type { Channel, Outgoing } from "../workers/notifications/channels/port";
import { smsChannel } from "../workers/notifications/channels/sms";
import { webhookChannel } from "../workers/notifications/channels/webhook";
import { webPushChannel } from "../workers/notifications/channels/webpush";

/**
 * The dev mailbox against the real adapters, configured as the dev command configures the
 * notifications worker: each channel's provider request lands in it, is answered as the provider
 * answers (so the delivery counts as sent), and is kept as its recipient would read it. A path
 * without the run's secret is refused.
 */

let box: Mailbox;
let env: Record<string, string>;

beforeAll(async () => {
  box = await startMailbox();
  env = {
    ...(await mailboxBindings(box.url)),
    EMAIL_FROM: "Equilibrium <alerts@equilibrium.example>",
    NOTIFICATIONS_SEAL_KEY: newSealKey(),
    NOTIFICATIONS_LOCAL_TARGETS: "true",
    VAPID_PRIVATE_KEY: (await newVapidKeys()).privateJwk,
    VAPID_SUBJECT: "mailto:alerts@equilibrium.example",
  };
});
afterAll(async () => {
  await box.stop();
});

const notice: Notice = {
  id: "failure:1",
  topic: "system.emergency",
  market: "nyc",
  at: Date.parse("2026-12-01T10:00:00Z"),
  status: "declared",
  cap: 1.5,
  reason: "a parade",
};

function outgoing(patch: Partial<StoredSubscription>): Outgoing {
  const s: StoredSubscription = {
    id: "sub_0123456789abcdef01234567",
    market: "nyc",
    owner: "olga-operator",
    topic: "system.emergency",
    thresholdTenths: null,
    cells: [],
    zoneResolution: 6,
    area: null,
    channel: "email",
    target: "olga@example.com",
    sealedSecret: null,
    locale: "en",
    timeZone: "America/New_York",
    quietHours: null,
    digestMinutes: 0,
    limit: { count: 10, minutes: 60 },
    expiresAt: null,
    status: "active",
    statusReason: null,
    createdAt: 0,
    version: 0,
    ...patch,
  };
  return {
    id: "dlv_0123456789abcdef0123456789abcdef",
    subscription: s,
    notices: [notice],
    message: compose(s, [notice]),
    payload: { title: compose(s, [notice]).title, body: compose(s, [notice]).body },
    now: Date.now(),
  };
}

describe("the dev mailbox", () => {
  test("every channel's real request lands in it, is answered as sent, and reads as its recipient would read it", async () => {
    const secret = newWebhookSecret();
    const browser = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
      "deriveBits",
    ])) as CryptoKeyPair;
    const p256dh = new Uint8Array((await crypto.subtle.exportKey("raw", browser.publicKey)) as ArrayBuffer);
    const sends: Array<[Channel, Outgoing]> = [
      [emailChannel(env as never), outgoing({ channel: "email", target: "olga@example.com" })],
      [smsChannel(env as never), outgoing({ channel: "sms", target: "+12125550100" })],
      [fcmChannel(env as never), outgoing({ channel: "fcm", target: "fcm-token-0123456789abcdef" })],
      [apnsChannel(env as never), outgoing({ channel: "apns", target: "ab".repeat(32) })],
      [
        webPushChannel(env as never),
        outgoing({
          channel: "webpush",
          target: {
            endpoint: `${box.url}/push/olga-laptop`,
            keys: { p256dh: b64url(p256dh), auth: b64url(crypto.getRandomValues(new Uint8Array(16))) },
          },
        }),
      ],
      [
        webhookChannel(env as never),
        outgoing({
          channel: "webhook",
          target: box.webhookUrl("ops-desk"),
          sealedSecret: await seal(env.NOTIFICATIONS_SEAL_KEY as string, secret),
        }),
      ],
    ];
    for (const [channel, out] of sends)
      expect({ channel: channel.name, result: await channel.send(out) }).toMatchObject({
        channel: channel.name,
        result: { kind: "sent" },
      });

    const byChannel = Object.fromEntries(box.messages().map((m) => [m.channel, m]));
    expect(Object.keys(byChannel).sort()).toEqual(["apns", "email", "fcm", "sms", "webhook", "webpush"]);
    const title = "nyc: emergency cap declared";
    const body = "An emergency cap of 1.5× was declared: a parade.";
    expect(byChannel.email).toMatchObject({ to: "olga@example.com", title, body });
    expect(byChannel.sms).toMatchObject({ to: "+12125550100", title: "", body: `${title}: ${body}` }); // a text has no title
    expect(byChannel.fcm).toMatchObject({ to: "fcm-token-0123456789abcdef", title, body });
    expect(byChannel.apns).toMatchObject({ to: "ab".repeat(32), title, body });
    expect(byChannel.webhook).toMatchObject({ to: "ops-desk", title, body });
    // Encrypted for the browser: only that it came, and how big.
    expect(byChannel.webpush?.to).toBe("olga-laptop");
    expect(byChannel.webpush?.body).toMatch(/^\d+ encrypted bytes$/);
    // The provider's request is kept beside the words: the webhook's JSON as posted.
    expect(JSON.parse(byChannel.webhook?.request.body as string)).toMatchObject({ title, body });
    expect(byChannel.sms?.request.contentType).toBe("application/x-www-form-urlencoded");

    // Newest first, and the read route is the mailbox's own.
    const listed = (await (await fetch(`${box.url}/messages`)).json()) as { messages: Array<{ channel: string }> };
    expect(listed.messages.map((m) => m.channel)).toEqual(box.messages().map((m) => m.channel));
    expect(listed.messages[0]?.channel).toBe("webhook");
  });

  test("without the run's secret in the path, nothing is read or kept", async () => {
    const origin = new URL(box.url).origin;
    expect((await fetch(`${origin}/messages`)).status).toBe(404);
    const before = box.messages().length;
    const res = await fetch(`${origin}/emails`, { method: "POST", body: JSON.stringify({ to: ["x@example.com"] }) });
    expect(res.status).toBe(404);
    expect(box.messages()).toHaveLength(before);
  });
});
