import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, sleep, supplyEvents } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { verifyWebhook } from "../shared/notifications/signature";

/**
 * Notifications through the running platform. A partner's back end asks to be told when the
 * price at its rider's pickup is back under 1.3×; a stadium lets out, the price rises, drivers
 * arrive, it falls: one signed webhook arrives, once, even when the queue brings the same news
 * again. A receiver that is down for a while gets everything when it is back, once each. A
 * receiver that is gone for good has its subscription disabled, and a replay after the fix sends
 * what waited.
 */

interface Received {
  id: string;
  signature: string | null;
  body: string;
  answered: number;
}

/** A partner's webhook receiver (Bun.serve on 127.0.0.1): records every request and answers as told. */
function receiver(answer: (n: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 })) {
  const requests: Received[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = await req.text();
      const reply = answer(requests.length);
      requests.push({
        id: req.headers.get("equilibrium-delivery") ?? "",
        signature: req.headers.get("equilibrium-signature"),
        body,
        answered: reply.status,
      });
      return new Response(reply.status === 200 ? "ok" : "unavailable", { status: reply.status, headers: reply.headers });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/hooks`, requests, stop: () => server.stop(true) };
}

let p: Platform;
let partner: Client;
const stadium = cellAt(40.7505, -73.9934); // Madison Square Garden
const market = "nyc";

beforeAll(async () => {
  p = await startPlatform();
  // Fast steps down, so the story's fall takes a second or two rather than half a minute.
  await putMarket(p, market, demoMarket("nyc-manhattan", { surge: { cap: 3.0, maxStepDown: 1 } }));
  partner = p.as("service", { subject: "partner-rides", markets: [market] });
});
afterAll(async () => {
  await p.dispose();
});

async function shown(at: { lat: number; lng: number }): Promise<number> {
  const res = await partner.fetch(`/v1/surge?lat=${at.lat}&lng=${at.lng}`);
  return ((await res.json()) as { multiplier: number }).multiplier;
}

/** The stadium lets out (surge), then drivers arrive (it falls back to 1.0). */
async function riseAndFall(at: { lat: number; lng: number }, peak = 1.6): Promise<void> {
  await partner.json("/v1/events/supply", { events: supplyEvents(at, 1) });
  await partner.json("/v1/events/demand", { events: demandEvents(at, 60) });
  await eventually(async () => ((await shown(at)) >= peak ? true : undefined), 15_000, 100);
  await partner.json("/v1/events/supply", { events: supplyEvents(at, 200) });
  await eventually(async () => ((await shown(at)) === 1 ? true : undefined), 20_000, 100);
}

async function subscribe(body: Record<string, unknown>, who: Client = partner) {
  return who.json<{ subscriptionId: string; secret?: string; status: string }>("/v1/notifications/subscriptions", {
    market,
    channel: "webhook",
    ...body,
  });
}

describe("a webhook told when the price is back to normal", () => {
  test("surge rises then falls: exactly one signed delivery, and a redelivered message sends nothing twice", async () => {
    const hooks = receiver();
    try {
      const sub = await subscribe({ topic: "surge.below", threshold: 1.3, cells: [stadium.cell], target: hooks.url });
      expect(sub.status).toBe(201);
      const secret = sub.body.secret as string;
      expect(secret).toMatch(/^whsec_/);
      // Shown once: reading it back never shows the secret.
      const read = await partner.fetch(`/v1/notifications/subscriptions/${sub.body.subscriptionId}`);
      expect(JSON.stringify(await read.json())).not.toContain(secret);

      await riseAndFall(stadium);
      const first = await eventually(async () => hooks.requests[0], 15_000, 50);
      await sleep(2_000); // anything else on its way would arrive by now
      expect(hooks.requests).toHaveLength(1);

      expect(await verifyWebhook(secret, first.body, first.signature, Math.floor(Date.now() / 1000))).toBe(true);
      expect(await verifyWebhook("whsec_someone-else", first.body, first.signature, Math.floor(Date.now() / 1000))).toBe(false);
      const payload = JSON.parse(first.body) as {
        id: string;
        topic: string;
        title: string;
        notices: Array<{ id: string; cell: string; from: number; multiplier: number; at: string }>;
      };
      expect(payload.id).toBe(first.id);
      expect(payload.topic).toBe("surge.below");
      expect(payload.title).toBe("Prices are back to normal");
      expect(payload.notices).toHaveLength(1);
      const notice = payload.notices[0] as (typeof payload.notices)[number];
      expect(notice.cell).toBe(stadium.cell);
      expect(notice.from).toBeGreaterThanOrEqual(1.3);
      expect(notice.multiplier).toBeLessThan(1.3);

      // The queue brings the zone's message again, and the delivery job again: nothing new is sent.
      const [, , seq, at] = notice.id.split(":");
      const queue = await p.notificationsQueue();
      await queue.send(
        JSON.stringify({
          origin: { host: "zone", name: "" },
          seq: 0,
          message: {
            type: "cell-changes",
            market,
            zone: "redelivered",
            changes: [
              {
                cell: stadium.cell,
                fromTenths: Math.round(notice.from * 10),
                toTenths: Math.round(notice.multiplier * 10),
                seq: Number(seq),
                at: Number(at),
              },
            ],
          },
        }),
        { contentType: "text" },
      );
      await queue.send({ type: "deliver", market, ids: [payload.id] }, { contentType: "json" });
      await sleep(3_000);
      expect(hooks.requests).toHaveLength(1);

      // The log says the same: one delivery, sent on its first attempt.
      const log = await eventually(
        async () => {
          const res = await partner.fetch(`/v1/notifications/deliveries?subscription=${sub.body.subscriptionId}`);
          const body = (await res.json()) as { deliveries: Array<{ deliveryId: string; status: string; attempts: number }> };
          return body.deliveries[0]?.status === "sent" ? body.deliveries : undefined;
        },
        15_000,
        200,
      );
      expect(log.map((d) => [d.deliveryId, d.status, d.attempts])).toEqual([[payload.id, "sent", 1]]);
    } finally {
      hooks.stop();
    }
  }, 90_000);
});

describe("a receiver that is down, or gone", () => {
  test("a provider outage loses nothing and sends nothing twice", async () => {
    // Down for its first seven calls (503, "retry after 1 s"), then up.
    const hooks = receiver((n) => (n < 7 ? { status: 503, headers: { "retry-after": "1" } } : { status: 200 }));
    const upperWestSide = cellAt(40.7831, -73.9712);
    try {
      const above = await subscribe({ topic: "surge.above", threshold: 1.5, cells: [upperWestSide.cell], target: hooks.url });
      const below = await subscribe({ topic: "surge.below", threshold: 1.3, cells: [upperWestSide.cell], target: hooks.url });
      expect([above.status, below.status]).toEqual([201, 201]);
      await riseAndFall(upperWestSide);
      const delivered = await eventually(
        async () => {
          const ok = hooks.requests.filter((r) => r.answered === 200);
          return ok.length >= 2 ? ok : undefined;
        },
        60_000,
        100,
      );
      await sleep(2_000);
      const okIds = hooks.requests.filter((r) => r.answered === 200).map((r) => r.id);
      expect(okIds).toHaveLength(2);
      expect(new Set(okIds).size).toBe(2); // each delivered once
      expect(hooks.requests.filter((r) => r.answered === 503).length).toBe(7); // and tried until it was
      const topics = delivered.map((r) => (JSON.parse(r.body) as { topic: string }).topic).sort();
      expect(topics).toEqual(["surge.above", "surge.below"]);
      for (const sub of [above, below]) {
        const log = await eventually(
          async () => {
            const res = await partner.fetch(`/v1/notifications/deliveries?subscription=${sub.body.subscriptionId}`);
            const body = (await res.json()) as { deliveries: Array<{ status: string; attempts: number }> };
            return body.deliveries[0]?.status === "sent" ? body.deliveries : undefined;
          },
          15_000,
          200,
        );
        expect(log).toHaveLength(1);
        expect(log[0]?.attempts).toBeGreaterThan(1);
      }
    } finally {
      hooks.stop();
    }
  }, 120_000);

  test("a webhook that is gone (410) disables the target; a replay after the fix sends what waited", async () => {
    let gone = true;
    const hooks = receiver(() => ({ status: gone ? 410 : 200 }));
    const unionSquare = cellAt(40.7359, -73.9911);
    try {
      const sub = await subscribe({ topic: "surge.above", threshold: 1.5, cells: [unionSquare.cell], target: hooks.url });
      await riseAndFall(unionSquare);
      const state = await eventually(
        async () => {
          const res = await partner.fetch(`/v1/notifications/subscriptions/${sub.body.subscriptionId}`);
          const body = (await res.json()) as { status: string; statusReason: string | null };
          return body.status === "disabled" ? body : undefined;
        },
        20_000,
        200,
      );
      expect(state.statusReason).toContain("410");
      expect(hooks.requests).toHaveLength(1); // a 410 is not retried
      const parked = await eventually(
        async () => {
          const res = await partner.fetch(`/v1/notifications/deliveries?subscription=${sub.body.subscriptionId}`);
          const body = (await res.json()) as { deliveries: Array<{ status: string; lastError: string | null }> };
          return body.deliveries[0]?.status === "parked" ? body.deliveries[0] : undefined;
        },
        15_000,
        200,
      );
      expect(parked.lastError).toContain("410");

      gone = false; // the partner fixed its endpoint
      const replay = await partner.json<{ replayed: number; enabled: boolean }>(
        `/v1/notifications/subscriptions/${sub.body.subscriptionId}/replay`,
        {},
      );
      expect(replay.body).toEqual({ replayed: 1, enabled: true });
      await eventually(async () => (hooks.requests.some((r) => r.answered === 200) ? true : undefined), 15_000, 100);
      expect(hooks.requests.map((r) => r.answered)).toEqual([410, 200]);
      expect(hooks.requests[0]?.id).toBe(hooks.requests[1]?.id as string); // the same delivery, its same idempotency key
    } finally {
      hooks.stop();
    }
  }, 90_000);
});

describe("operators hear their market's emergencies", () => {
  test("an emergency declared reaches an operator's webhook, in the subscription's language", async () => {
    const hooks = receiver();
    const operator = p.as("operator", { subject: "olga-operator", markets: [market] });
    try {
      const sub = await subscribe({ topic: "system.emergency", target: hooks.url, locale: "es-MX" }, operator);
      expect(sub.status).toBe(201);
      const declared = await operator.json("/v1/system/overrides", { market, cap: 1.5, minutes: 5, reason: "concierto" });
      expect(declared.status).toBe(201);
      const first = await eventually(async () => hooks.requests[0], 15_000, 50);
      const payload = JSON.parse(first.body) as {
        topic: string;
        title: string;
        body: string;
        notices: Array<{ status: string; cap: number }>;
      };
      expect(payload.topic).toBe("system.emergency");
      expect(payload.notices[0]).toMatchObject({ status: "declared", cap: 1.5 });
      expect(payload.body).toContain("Se declaró un tope de emergencia");
      expect(payload.body).toContain("concierto");
    } finally {
      hooks.stop();
    }
  }, 60_000);
});

describe("who may subscribe to what", () => {
  test("riders subscribe for a place, not for the platform; targets must be public; a subscription is its owner's", async () => {
    const rider = p.as("rider", { subject: "rita-rider" });
    const mode = await subscribe({ topic: "system.mode", target: "https://partner.example/hooks" }, rider);
    expect(mode.status).toBe(403);
    expect((mode.body as unknown as { code: string }).code).toBe("topic-forbidden");

    const privateTarget = await subscribe(
      { topic: "surge.above", threshold: 2, cells: [stadium.cell], target: "https://10.0.0.7/hook" },
      rider,
    );
    expect(privateTarget.status).toBe(422);
    expect((privateTarget.body as unknown as { code: string }).code).toBe("target-refused");

    const fractional = await subscribe(
      { topic: "surge.above", threshold: 1.25, cells: [stadium.cell], target: "https://p.example/h" },
      rider,
    );
    expect(fractional.status).toBe(422);
    const noArea = await subscribe({ topic: "surge.below", threshold: 1.3, target: "https://p.example/h" }, rider);
    expect(noArea.status).toBe(422);

    const mine = await subscribe(
      {
        topic: "surge.below",
        threshold: 1.3,
        lat: stadium.lat,
        lng: stadium.lng,
        radiusKm: 1,
        channel: "sms",
        target: "+12125550100",
      },
      rider,
    );
    expect(mine.status).toBe(201);
    const id = mine.body.subscriptionId;
    expect((await p.as("rider", { subject: "someone-else" }).fetch(`/v1/notifications/subscriptions/${id}`)).status).toBe(404);
    expect(
      (await p.as("rider", { subject: "someone-else" }).fetch(`/v1/notifications/deliveries?subscription=${id}`)).status,
    ).toBe(404);
    expect((await rider.fetch(`/v1/notifications/subscriptions/${id}`)).status).toBe(200);
    expect((await rider.fetch(`/v1/notifications/subscriptions/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await rider.fetch(`/v1/notifications/subscriptions/${id}`)).status).toBe(404);

    const elsewhere = await subscribe(
      { topic: "system.mode", target: "https://p.example/h" },
      p.as("operator", { markets: ["hcmc"] }),
    );
    expect(elsewhere.status).toBe(403);
    expect((await p.as(null).fetch("/v1/notifications/vapid-public-key")).status).toBe(200);
  });
});
