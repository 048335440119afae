import { afterAll, describe, expect, test } from "bun:test";
import { exportPKCS8, generateKeyPair, jwtVerify } from "jose";
import type { Notice } from "../shared/notifications/matching";
import { crosses, isCrossingFor } from "../shared/notifications/matching";
import { compose } from "../shared/notifications/messages";
import { afterLimit, afterQuietHours } from "../shared/notifications/schedule";
import { signWebhook, verifyWebhook } from "../shared/notifications/signature";
import type { StoredSubscription } from "../shared/notifications/subscription";
import { webhookTargetRefusal } from "../shared/notifications/targets";
import { b64url, fromB64url, newVapidKeys } from "../shared/notifications/vapid";
import { apnsChannel, apnsId } from "../workers/notifications/channels/apns";
import { emailChannel } from "../workers/notifications/channels/email";
import { fcmChannel } from "../workers/notifications/channels/fcm";
import type { Outgoing } from "../workers/notifications/channels/port";
import { smsChannel } from "../workers/notifications/channels/sms";
import { contentKeys, webPushChannel } from "../workers/notifications/channels/webpush";

/**
 * The parts of notifications that need no platform: each provider's adapter against a recording
 * fake that checks the request as the provider documents it (and answers as it would), and the
 * pure rules — crossings, quiet hours in the recipient's zone, the frequency limit, signatures,
 * which webhook targets are refused.
 */

interface Recorded {
  method: string;
  path: string;
  headers: Headers;
  body: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** A provider's stand-in: records each request and answers from the script (the last answer repeats). */
function fake(answers: Array<{ status: number; body?: unknown; headers?: Record<string, string> }>) {
  const requests: Recorded[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const bytes = new Uint8Array(await req.arrayBuffer());
      requests.push({
        method: req.method,
        path: new URL(req.url).pathname,
        headers: req.headers,
        body: new TextDecoder().decode(bytes),
        bytes,
      });
      const a = answers[Math.min(requests.length - 1, answers.length - 1)] as (typeof answers)[number];
      return Response.json(a.body ?? {}, { status: a.status, headers: a.headers });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

const subscription = (patch: Partial<StoredSubscription>): StoredSubscription => ({
  id: "sub_0123456789abcdef01234567",
  market: "nyc",
  owner: "rita-rider",
  topic: "surge.below",
  thresholdTenths: 13,
  cells: ["882a100d65fffff"],
  zoneResolution: 6,
  area: null,
  channel: "email",
  target: "rita@example.com",
  sealedSecret: null,
  locale: "vi-VN",
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
});
const notice: Notice = {
  id: "cell:882a100d65fffff:7:1",
  topic: "surge.above",
  market: "nyc",
  at: 1,
  cell: "882a100d65fffff",
  fromTenths: 14,
  toTenths: 12,
};
const outgoing = (s: StoredSubscription): Outgoing => ({
  id: "dlv_5f0c",
  subscription: s,
  notices: [notice],
  message: compose(s, [notice]),
  payload: {},
  now: Date.now(),
});

const fakes: Array<{ stop(): void }> = [];
afterAll(() => {
  for (const f of fakes) f.stop();
});

describe("email, as an email API (Resend's format) takes it", () => {
  test("one POST /emails with the key, the delivery's idempotency key, and the message in the recipient's language", async () => {
    const provider = fake([{ status: 200, body: { id: "49a3999c" } }]);
    fakes.push(provider);
    const channel = emailChannel({
      EMAIL_BASE_URL: provider.url,
      EMAIL_API_KEY: "re_test",
      EMAIL_FROM: "Equilibrium <a@eq.example>",
    });
    expect(await channel.send(outgoing(subscription({})))).toEqual({ kind: "sent" });
    const [req] = provider.requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/emails");
    expect(req?.headers.get("authorization")).toBe("Bearer re_test");
    expect(req?.headers.get("idempotency-key")).toBe("dlv_5f0c");
    const body = JSON.parse(req?.body ?? "{}");
    expect(body).toMatchObject({
      from: "Equilibrium <a@eq.example>",
      to: ["rita@example.com"],
      subject: "Giá đã trở lại bình thường",
    });
    expect(body.text).toContain("1,2×"); // Vietnamese writes the decimal with a comma
  });

  test("a refused address disables the target; a rate limit is retried after the time it names", async () => {
    const refused = fake([{ status: 422, body: { name: "validation_error", message: "Invalid `to` field." } }]);
    const limited = fake([{ status: 429, body: { name: "rate_limit_exceeded" }, headers: { "retry-after": "3" } }]);
    fakes.push(refused, limited);
    const env = { EMAIL_API_KEY: "re_test", EMAIL_FROM: "a@eq.example" };
    expect(await emailChannel({ ...env, EMAIL_BASE_URL: refused.url }).send(outgoing(subscription({})))).toMatchObject({
      kind: "failed",
      disable: true,
    });
    expect(await emailChannel({ ...env, EMAIL_BASE_URL: limited.url }).send(outgoing(subscription({})))).toMatchObject({
      kind: "retry",
      afterMs: 3000,
    });
    expect(
      await emailChannel({ ...env, EMAIL_API_KEY: "", EMAIL_BASE_URL: limited.url }).send(outgoing(subscription({}))),
    ).toMatchObject({
      kind: "failed",
      disable: false,
    });
  });
});

describe("SMS, as Twilio's REST API takes it", () => {
  test("a form POST to the account's Messages.json with Basic auth; a number that cannot receive disables the target", async () => {
    const twilio = fake([
      { status: 201, body: { sid: "SM1" } },
      { status: 400, body: { code: 21211, message: "Invalid 'To' Phone Number" } },
    ]);
    fakes.push(twilio);
    const channel = smsChannel({ SMS_BASE_URL: twilio.url, SMS_ACCOUNT: "AC123:secret", SMS_FROM: "+15005550006" });
    const s = subscription({ channel: "sms", target: "+12125550100", locale: "en" });
    expect(await channel.send(outgoing(s))).toEqual({ kind: "sent" });
    const [req] = twilio.requests;
    expect(req?.path).toBe("/2010-04-01/Accounts/AC123/Messages.json");
    expect(req?.headers.get("authorization")).toBe(`Basic ${btoa("AC123:secret")}`);
    expect(req?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(req?.body);
    expect([form.get("To"), form.get("From")]).toEqual(["+12125550100", "+15005550006"]);
    expect(form.get("Body")).toBe("Prices are back to normal: Near your place in nyc the price is now 1.2×, under your 1.3×.");
    expect(await channel.send(outgoing(s))).toMatchObject({ kind: "failed", disable: true });
  });
});

describe("Web Push, as a browser's push service takes it (RFC 8291, RFC 8292)", () => {
  test("the payload decrypts with the browser's keys, and the VAPID JWT verifies for the push service", async () => {
    // The browser: its ECDH keys and auth secret, as PushSubscription.toJSON() gives them.
    const browser = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
      "deriveBits",
    ])) as CryptoKeyPair;
    const p256dh = new Uint8Array((await crypto.subtle.exportKey("raw", browser.publicKey)) as ArrayBuffer);
    const auth = crypto.getRandomValues(new Uint8Array(16));
    const push = fake([{ status: 201 }, { status: 410 }]);
    fakes.push(push);
    const vapid = await newVapidKeys();
    const channel = webPushChannel({ VAPID_PRIVATE_KEY: vapid.privateJwk, VAPID_SUBJECT: "mailto:alerts@eq.example" });
    const s = subscription({
      channel: "webpush",
      locale: "es",
      target: { endpoint: `${push.url}/push/abc`, keys: { p256dh: b64url(p256dh), auth: b64url(auth) } },
    });
    expect(await channel.send({ ...outgoing(s), payload: { id: "dlv_5f0c" } })).toEqual({ kind: "sent" });
    const [req] = push.requests;
    expect(req?.path).toBe("/push/abc");
    expect(req?.headers.get("content-encoding")).toBe("aes128gcm");
    expect(req?.headers.get("ttl")).toBe("86400");

    // The push service checks who sent it: vapid t=<ES256 JWT for its origin>, k=<the key the browser subscribed with>.
    const [, t, k] = /^vapid t=([^,]+), k=(.+)$/.exec(req?.headers.get("authorization") ?? "") ?? [];
    expect(k).toBe(vapid.publicKey);
    const [head, claims, signature] = (t ?? "").split(".");
    const publicKey = await crypto.subtle.importKey("raw", fromB64url(k ?? ""), { name: "ECDSA", namedCurve: "P-256" }, false, [
      "verify",
    ]);
    const signed = new TextEncoder().encode(`${head}.${claims}`);
    expect(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, fromB64url(signature ?? ""), signed)).toBe(
      true,
    );
    const jwt = JSON.parse(new TextDecoder().decode(fromB64url(claims ?? "")));
    expect(jwt.aud).toBe(push.url);
    expect(jwt.sub).toBe("mailto:alerts@eq.example");
    expect(jwt.exp * 1000).toBeGreaterThan(Date.now());

    // The browser decrypts: salt ‖ record size ‖ key id (the server's ephemeral key) ‖ one record.
    const bytes = req?.bytes ?? new Uint8Array();
    const salt = bytes.slice(0, 16);
    const idLength = bytes[20] as number;
    const serverPublic = bytes.slice(21, 21 + idLength);
    const server = await crypto.subtle.importKey("raw", serverPublic, { name: "ECDH", namedCurve: "P-256" }, false, []);
    const shared = new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: "ECDH", public: server } as unknown as Parameters<typeof crypto.subtle.deriveBits>[0],
        browser.privateKey,
        256,
      ),
    );
    const { key, nonce } = await contentKeys(shared, auth, p256dh, serverPublic, salt);
    const aes = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
    const plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, aes, bytes.slice(21 + idLength)));
    expect(plain[plain.length - 1]).toBe(2); // the last record's delimiter
    const message = JSON.parse(new TextDecoder().decode(plain.slice(0, -1)));
    expect(message).toMatchObject({ title: "Los precios han vuelto a la normalidad", data: { id: "dlv_5f0c" } });

    // The browser unsubscribed: the push service answers 410, and the target is disabled.
    expect(await channel.send(outgoing(s))).toMatchObject({ kind: "failed", disable: true });
  });
});

describe("FCM HTTP v1, as Google documents it", () => {
  test("a service account's RS256 JWT is exchanged for an access token, then messages:send with the device's token", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const google = fake([
      { status: 200, body: { access_token: "ya29.test", expires_in: 3600, token_type: "Bearer" } },
      { status: 200, body: { name: "projects/eq-demo/messages/0:1" } },
      { status: 404, body: { error: { code: 404, status: "NOT_FOUND", details: [{ errorCode: "UNREGISTERED" }] } } },
    ]);
    fakes.push(google);
    const account = {
      project_id: "eq-demo",
      client_email: "push@eq-demo.iam.gserviceaccount.com",
      private_key: await exportPKCS8(privateKey),
      token_uri: `${google.url}/token`,
    };
    const channel = fcmChannel({ FCM_BASE_URL: google.url, FCM_SERVICE_ACCOUNT: JSON.stringify(account) });
    const s = subscription({ channel: "fcm", target: "fcm-token-0123456789abcdef", locale: "en" });
    expect(await channel.send(outgoing(s))).toEqual({ kind: "sent" });
    const [exchange, send] = google.requests;
    expect(exchange?.path).toBe("/token");
    const form = new URLSearchParams(exchange?.body);
    expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const { payload } = await jwtVerify(form.get("assertion") ?? "", publicKey, {
      issuer: account.client_email,
      audience: account.token_uri,
    });
    expect(payload.scope).toBe("https://www.googleapis.com/auth/firebase.messaging");
    expect(send?.path).toBe("/v1/projects/eq-demo/messages:send");
    expect(send?.headers.get("authorization")).toBe("Bearer ya29.test");
    const message = JSON.parse(send?.body ?? "{}").message;
    expect(message.token).toBe("fcm-token-0123456789abcdef");
    expect(message.notification).toEqual({ title: "Prices are back to normal", body: expect.stringContaining("1.2×") });
    expect(Object.values(message.data).every((v) => typeof v === "string")).toBe(true);
    // The app was uninstalled: UNREGISTERED disables the token (the access token is reused, not fetched again).
    expect(await channel.send(outgoing(s))).toMatchObject({ kind: "failed", disable: true });
    expect(google.requests.map((r) => r.path)).toEqual([
      "/token",
      "/v1/projects/eq-demo/messages:send",
      "/v1/projects/eq-demo/messages:send",
    ]);
  });
});

describe("APNs, as Apple documents it", () => {
  test("an ES256 provider token, the headers Apple asks for, and a dead device token disabled", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const apple = fake([{ status: 200 }, { status: 410, body: { reason: "Unregistered", timestamp: 1 } }]);
    fakes.push(apple);
    const key = { teamId: "TEAM123456", keyId: "KEY1234567", privateKey: await exportPKCS8(privateKey) };
    const channel = apnsChannel({ APNS_BASE_URL: apple.url, APNS_KEY: JSON.stringify(key), APNS_TOPIC: "com.example.rider" });
    const device = "a".repeat(64);
    const s = subscription({ channel: "apns", target: device, locale: "en" });
    const out = { ...outgoing(s), id: "dlv_0123456789abcdef0123456789abcdef" };
    expect(await channel.send(out)).toEqual({ kind: "sent" });
    const [req] = apple.requests;
    expect(req?.path).toBe(`/3/device/${device}`);
    expect(req?.headers.get("apns-topic")).toBe("com.example.rider");
    expect(req?.headers.get("apns-push-type")).toBe("alert");
    expect(req?.headers.get("apns-id")).toBe(apnsId(out.id));
    expect(apnsId(out.id)).toBe("01234567-89ab-cdef-0123-456789abcdef");
    const bearer = (req?.headers.get("authorization") ?? "").replace(/^bearer /, "");
    const { payload, protectedHeader } = await jwtVerify(bearer, publicKey, { issuer: key.teamId });
    expect(protectedHeader).toMatchObject({ alg: "ES256", kid: key.keyId });
    expect(typeof payload.iat).toBe("number");
    expect(JSON.parse(req?.body ?? "{}").aps.alert.title).toBe("Prices are back to normal");
    expect(await channel.send(out)).toMatchObject({ kind: "failed", disable: true });
  });
});

describe("the rules", () => {
  test("a crossing is a change from one side of the threshold to the other, in the direction asked", () => {
    expect(crosses(14, 12, 13)).toBe(true);
    expect(crosses(13, 14, 13)).toBe(false);
    expect(isCrossingFor("surge.below", 13, 13, 12)).toBe(true); // 1.3 is not under 1.3; 1.2 is
    expect(isCrossingFor("surge.below", 13, 12, 14)).toBe(false);
    expect(isCrossingFor("surge.above", 20, 19, 20)).toBe(true);
  });

  test("quiet hours end on the recipient's clock, across midnight and across a change of daylight saving", () => {
    const ny = "America/New_York";
    const quiet = { from: "22:00", to: "07:00" };
    // 23:30 in New York (EST, UTC−5) → 07:00 the next morning.
    expect(new Date(afterQuietHours(Date.parse("2026-01-15T04:30:00Z"), quiet, ny)).toISOString()).toBe(
      "2026-01-15T12:00:00.000Z",
    );
    // The night clocks spring forward (8 March 2026): 07:00 is EDT, UTC−4.
    expect(new Date(afterQuietHours(Date.parse("2026-03-08T04:00:00Z"), quiet, ny)).toISOString()).toBe(
      "2026-03-08T11:00:00.000Z",
    );
    // Outside quiet hours nothing waits.
    expect(afterQuietHours(Date.parse("2026-01-15T17:00:00Z"), quiet, ny)).toBe(Date.parse("2026-01-15T17:00:00Z"));
  });

  test("the frequency limit lets the next message go when the oldest leaves the window", () => {
    const minute = 60_000;
    const sent = [0, 10 * minute, 20 * minute];
    expect(afterLimit(30 * minute, sent, { count: 3, minutes: 60 })).toBe(60 * minute);
    expect(afterLimit(30 * minute, sent, { count: 4, minutes: 60 })).toBe(30 * minute);
  });

  test("a signature verifies with its secret and body only, and not long after", async () => {
    const header = await signWebhook("whsec_a", '{"a":1}', 1_767_000_000);
    expect(await verifyWebhook("whsec_a", '{"a":1}', header, 1_767_000_030)).toBe(true);
    expect(await verifyWebhook("whsec_a", '{"a":2}', header, 1_767_000_030)).toBe(false);
    expect(await verifyWebhook("whsec_b", '{"a":1}', header, 1_767_000_030)).toBe(false);
    expect(await verifyWebhook("whsec_a", '{"a":1}', header, 1_767_001_000)).toBe(false);
  });

  test("webhook targets: public https only in production; loopback over http only locally", () => {
    for (const url of [
      "http://10.0.0.7/h",
      "https://10.0.0.7/h",
      "https://192.168.1.2/h",
      "https://169.254.169.254/latest",
      "https://[fd00::1]/h",
      "https://[::ffff:10.0.0.1]/h",
      "https://printer.local/h",
      "https://127.0.0.1/h",
      "https://user:pw@partner.example/h",
    ])
      expect([url, webhookTargetRefusal(url, false)]).toEqual([url, expect.any(String)]);
    expect(webhookTargetRefusal("https://partner.example/hooks", false)).toBeUndefined();
    expect(webhookTargetRefusal("http://127.0.0.1:9000/hooks", true)).toBeUndefined();
    expect(webhookTargetRefusal("http://localhost:9000/hooks", false)).toBeDefined();
    expect(webhookTargetRefusal("http://10.0.0.7/h", true)).toBeDefined(); // locally too: only loopback
  });
});
