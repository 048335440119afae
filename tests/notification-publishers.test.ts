import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gridDisk } from "h3-js";
import { HIGH_WATER_BYTES } from "../durable-objects/outbox";
import {
  cellAt,
  demoMarket,
  eventually,
  GARDEN,
  importHistory,
  matchAtTheGarden,
  putMarket,
  sleep,
  switchbackExperiment,
} from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";
import { syntheticHistory } from "../shared/forecast/synthetic";
import { verifyWebhook } from "../shared/notifications/signature";

/**
 * What operators and drivers hear besides prices, through the running platform and the same path
 * as every notice (an object's outbox → the notifications queue → the market's hub → a signed
 * webhook): an experiment its guardrail stopped, the hotspots a forecast's training ranks, a
 * market degraded by a zone that stops answering, and a zone whose history backs up because
 * Postgres is stuck — each told once.
 */

interface Delivery {
  id: string;
  signature: string | null;
  body: string;
  payload: {
    id: string;
    topic: string;
    title: string;
    body: string;
    notices: Array<Record<string, unknown>>;
  };
}

/** A subscriber's webhook receiver (Bun.serve on 127.0.0.1), recording every request. */
function receiver() {
  const requests: Delivery[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = await req.text();
      requests.push({
        id: req.headers.get("equilibrium-delivery") ?? "",
        signature: req.headers.get("equilibrium-signature"),
        body,
        payload: JSON.parse(body),
      });
      return new Response("ok");
    },
  });
  return { url: `http://127.0.0.1:${server.port}/hooks`, requests, stop: () => server.stop(true) };
}

let p: Platform;
const MARKET = "nyc";
const TIMES_SQUARE = cellAt(40.758, -73.9855);
const operator = () => p.as("operator", { subject: "omar-operator", markets: [MARKET] });

async function subscribe(who: Client, body: Record<string, unknown>) {
  const res = await who.json<{ subscriptionId: string; secret: string }>("/v1/notifications/subscriptions", {
    market: MARKET,
    channel: "webhook",
    ...body,
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** Exactly one delivery arrives (nothing else follows within a while), its signature verifying under the subscription's secret. */
async function exactlyOne(hooks: ReturnType<typeof receiver>, secret: string, within = 30_000): Promise<Delivery> {
  const first = await eventually(async () => hooks.requests[0], within, 50);
  await sleep(2_000); // anything else on its way would be here by now
  expect(hooks.requests).toHaveLength(1);
  expect(await verifyWebhook(secret, first.body, first.signature, Math.floor(Date.now() / 1000))).toBe(true);
  return first;
}

beforeAll(async () => {
  p = await startPlatform({ bindings: { CHAOS_ENABLED: "true" } });
  await putMarket(p, MARKET, demoMarket("nyc-manhattan"));
});
afterAll(async () => {
  await p.dispose();
});

describe("an experiment stopped by its guardrail", () => {
  test("the market's operator hears it once, with the reason", async () => {
    const hooks = receiver();
    try {
      const sub = await subscribe(operator(), { topic: "experiment.guardrail", target: hooks.url });
      const from = Date.now();
      const put = await operator().json(
        "/v1/experiments/steep-curve",
        switchbackExperiment(MARKET, {
          name: "a steeper curve",
          variants: [
            { id: "flat", weight: 1, surge: { enabled: false } },
            { id: "steep", weight: 1 },
          ],
        }),
        "PUT",
      );
      expect(put.status).toBe(201);
      // What history would hold after two windows: every unit under each arm once, the steep arm far higher.
      const minute = Math.ceil(from / 60_000) * 60_000;
      const values = gridDisk(TIMES_SQUARE.cell, 1).flatMap((unit, u) =>
        [0, 1].flatMap((window) => {
          const steep = (u + window) % 2 === 1;
          return [0, 1, 2].map((m) => {
            const at = new Date(minute + window * 3_600_000 + m * 60_000).toISOString();
            const multiplier = steep ? 1.8 + ((u + m) % 3) / 10 : 1;
            return `('steep-curve', '${at}', '${unit}', '${MARKET}', '${unit}', ${window}, '${steep ? "steep" : "flat"}', ${multiplier})`;
          });
        }),
      );
      psql(
        p.database.target,
        p.database.name,
        `insert into experiment_minutes (experiment_id, minute, cell, market_id, unit, window_index, variant, multiplier) values ${values.join(", ")}`,
      );
      const results = await operator().fetch("/v1/experiments/steep-curve/results");
      expect(results.status).toBe(200);
      expect(((await results.json()) as { status: string }).status).toBe("stopped");
      // Read again: stopped already, nothing more to tell.
      expect((await operator().fetch("/v1/experiments/steep-curve/results")).status).toBe(200);

      const got = await exactlyOne(hooks, sub.secret);
      expect(got.payload.topic).toBe("experiment.guardrail");
      expect(got.payload.title).toBe("nyc: experiment steep-curve stopped");
      expect(got.payload.notices[0]).toMatchObject({ status: "stopped", subject: "steep-curve" });
      expect(String(got.payload.notices[0]?.reason)).toContain("guardrail breached: multiplier of steep");

      // The minute's job tells recent stops again (a telling lost after the stop was committed is
      // made good): a colleague who subscribed since hears it, she does not hear it twice.
      const colleagueHooks = receiver();
      try {
        const colleague = p.as("operator", { subject: "ida-operator", markets: [MARKET] });
        const late = await subscribe(colleague, { topic: "experiment.guardrail", target: colleagueHooks.url });
        const judging = Math.ceil(Date.now() / 300_000) * 300_000; // a minute the guardrails are judged
        await p.scheduled("* * * * *", judging);
        const retold = await exactlyOne(colleagueHooks, late.secret);
        expect(retold.payload.notices[0]?.id).toBe(got.payload.notices[0]?.id);
        expect(hooks.requests).toHaveLength(1);
      } finally {
        colleagueHooks.stop();
      }
    } finally {
      hooks.stop();
    }
  }, 60_000);
});

describe("hotspots from a forecast's training", () => {
  test("a driver subscribed near the Garden hears where riders are expected, once per training", async () => {
    const around = gridDisk(cellAt(GARDEN.lat, GARDEN.lng).cell, 1);
    const end = Math.floor(Date.now() / 900_000) * 900_000;
    const history = syntheticHistory({
      cells: around,
      start: end - 8 * 7 * 86_400_000,
      weeks: 8,
      seed: 5,
      utcOffsetMinutes: -300,
      venue: GARDEN,
    });
    await importHistory(operator(), MARKET, history);
    // Tonight's match at the Garden ends in 20 minutes: its let-out falls within the next half hour.
    const tonight = matchAtTheGarden(end);
    expect((await operator().json(`/v1/markets/${MARKET}/calendar/knicks-tonight`, tonight, "PUT")).status).toBe(201);
    const hooks = receiver();
    const elsewhere = receiver();
    try {
      const driver = p.as("driver", { subject: "dina-driver", markets: [MARKET] });
      const sub = await subscribe(driver, {
        topic: "hotspots",
        lat: GARDEN.lat,
        lng: GARDEN.lng,
        radiusKm: 1.5,
        target: hooks.url,
      });
      // A driver on the Upper West Side, whose area holds none of the cells with demand, hears nothing.
      await subscribe(p.as("driver", { subject: "hugo-driver", markets: [MARKET] }), {
        topic: "hotspots",
        lat: 40.7831,
        lng: -73.9712,
        radiusKm: 0.5,
        target: elsewhere.url,
      });
      // Riders may not: hotspots are for drivers and those who run the market.
      const rider = await p.as("rider", { markets: [MARKET] }).json<{ code: string }>("/v1/notifications/subscriptions", {
        market: MARKET,
        topic: "hotspots",
        channel: "webhook",
        target: hooks.url,
      });
      expect(rider.status).toBe(403);
      expect(rider.body.code).toBe("topic-forbidden");

      const trained = await operator().json<{ modelId: string }>(`/v1/markets/${MARKET}/forecasts/train`, {});
      expect(trained.status).toBe(200);
      const got = await exactlyOne(hooks, sub.secret);
      expect(got.payload.topic).toBe("hotspots");
      const notice = got.payload.notices[0] as { horizonMinutes: number; hotspots: Array<{ cell: string; shortage: number }> };
      expect(notice.horizonMinutes).toBe(30);
      expect(notice.hotspots.length).toBeGreaterThan(0);
      for (const h of notice.hotspots) {
        expect(around).toContain(h.cell);
        expect(h.shortage).toBeGreaterThan(0);
      }
      // The same cells, most short first, as the drivers' route ranks them.
      const route = (await (await driver.fetch(`/v1/markets/${MARKET}/hotspots?horizon=30`)).json()) as {
        cells: Array<{ cell: string }>;
      };
      expect(notice.hotspots.map((h) => h.cell)).toEqual(
        route.cells.map((c) => c.cell).filter((c) => notice.hotspots.some((h) => h.cell === c)),
      );
      expect(got.payload.title).toMatch(/^Riders are expected in \d+ areas? of nyc$/);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      hooks.stop();
      elsewhere.stop();
    }
  }, 180_000);
});

describe("a market that runs degraded", () => {
  test("a zone stops answering: the market's operator hears it degraded once, and back to normal once", async () => {
    const hooks = receiver();
    const admin = p.as("admin");
    const marketMode = async () =>
      (await admin.json<{ system: { markets: Record<string, string> } }>("/v1/system/probe", {})).body.system.markets[MARKET] ??
      "normal";
    const quoteAtTimesSquare = async () => {
      const quote = await p
        .as("rider")
        .json("/v1/quotes", { pickup: TIMES_SQUARE, dropoff: cellAt(40.7128, -74.006), product: "standard" });
      expect(quote.status).toBe(201);
    };
    try {
      const sub = await subscribe(operator(), { topic: "system.mode", target: hooks.url });
      const chaos = await admin.json("/v1/admin/chaos/zone", { lat: TIMES_SQUARE.lat, lng: TIMES_SQUARE.lng, seconds: 4 });
      expect(chaos.status).toBe(200);
      // Riders ask for quotes there meanwhile: priced from the last known multiplier, and the zone's
      // breaker opens on its failures, which the system-mode object hears.
      await eventually(
        async () => {
          await quoteAtTimesSquare();
          return (await marketMode()) === "degraded" ? true : undefined;
        },
        10_000,
        100,
      );
      const degraded = await eventually(async () => hooks.requests[0], 30_000, 50);
      expect(await verifyWebhook(sub.secret, degraded.body, degraded.signature, Math.floor(Date.now() / 1000))).toBe(true);
      expect(degraded.payload.topic).toBe("system.mode");
      expect(degraded.payload.title).toBe("nyc: degraded");
      expect(degraded.payload.notices[0]).toMatchObject({ status: "degraded" });

      // The zone answers again; riders' quotes find it so, its breaker closes, the market is normal.
      await eventually(
        async () => {
          await quoteAtTimesSquare();
          return (await marketMode()) === "normal" ? true : undefined;
        },
        60_000,
        500,
      );
      const normal = await eventually(async () => hooks.requests[1], 30_000, 50);
      expect(normal.payload.title).toBe("nyc: back to normal");
      await sleep(2_000);
      expect(hooks.requests).toHaveLength(2);
    } finally {
      hooks.stop();
    }
  }, 120_000);
});

describe("a zone whose history backs up", () => {
  test("while Postgres holds the events table, the market's operator hears the zone back up once, and once when it drains", async () => {
    const hooks = receiver();
    // A session that holds the events table: the history writer waits on it and confirms nothing.
    const t = p.database.target;
    const holder = Bun.spawn(["psql", "-h", t.host, "-p", String(t.port), "-U", t.user, "-d", p.database.name, "-qAt"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    let held = true;
    const release = async () => {
      if (!held) return;
      held = false;
      holder.stdin.write("commit;\n");
      await holder.stdin.end();
      await holder.exited;
    };
    try {
      const sub = await subscribe(operator(), { topic: "system.backlog", target: hooks.url });
      holder.stdin.write("begin; lock table events in access exclusive mode; select 'held';\n");
      await holder.stdin.flush();
      const reader = holder.stdout.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain("held");
      reader.releaseLock();

      // Riders open the app at Times Square, each search with the widest ids the contract allows,
      // until more than the high-water mark waits in the zone's outbox.
      const service = p.as("service", { markets: [MARKET] });
      const wide = (i: number, what: string) => `${what}-${i}-`.padEnd(128, "x");
      let sent = 0;
      for (let batch = 0; sent * 290 < HIGH_WATER_BYTES * 1.2; batch += 1) {
        const events = Array.from({ length: 1_000 }, (_, i) => ({
          eventId: wide(batch * 1_000 + i, "search"),
          riderId: wide(batch * 1_000 + i, "rider"),
          lat: TIMES_SQUARE.lat,
          lng: TIMES_SQUARE.lng,
          kind: "search",
          at: new Date().toISOString(),
        }));
        const res = await service.json<{ accepted: number }>("/v1/events/demand", { events });
        expect(res.status).toBe(202);
        sent += events.length;
      }
      const backedUp = await eventually(async () => hooks.requests[0], 30_000, 100);
      expect(backedUp.payload.topic).toBe("system.backlog");
      expect(backedUp.payload.notices[0]).toMatchObject({ status: "backed-up" });
      expect(Number(backedUp.payload.notices[0]?.pending)).toBeGreaterThan(0);
      expect(String(backedUp.payload.notices[0]?.subject)).toContain(MARKET);
      expect(await verifyWebhook(sub.secret, backedUp.body, backedUp.signature, Math.floor(Date.now() / 1000))).toBe(true);
      await sleep(2_000);
      expect(hooks.requests).toHaveLength(1); // once, however many rows arrive above the mark

      await release();
      const drained = await eventually(async () => hooks.requests[1], 60_000, 100);
      expect(drained.payload.notices[0]).toMatchObject({ status: "ok" });
      expect(drained.payload.title).toBe("nyc: history flows again");
      await sleep(2_000);
      expect(hooks.requests).toHaveLength(2);
    } finally {
      await release();
      hooks.stop();
    }
  }, 180_000);
});
