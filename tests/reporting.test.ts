import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellAt, demoMarket, eventually, putMarket, uid } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";

/**
 * Who may report what: a rider's token reports its own demand, a driver's token its own supply,
 * a partner's service token many; one rider counts once per cell however often it asks; event
 * ids belong to whoever reported them.
 */

let p: Platform;
const times = cellAt(40.758, -73.9855);
const chelsea = cellAt(40.7465, -74.0014);
const village = cellAt(40.7336, -74.0027);
const now = () => new Date().toISOString();

interface Ingested {
  accepted: number;
  duplicate: number;
  rejected: number;
  rejections: Array<{ index: number; reason: string }>;
}

function rows(sql: string): string {
  return psql(p.database.target, p.database.name, sql);
}

async function reading(at: { lat: number; lng: number }) {
  const res = await p.as("rider").fetch(`/v1/surge?lat=${at.lat}&lng=${at.lng}`);
  return (await res.json()) as { multiplier: number; demand: number; supply: number };
}

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
});
afterAll(async () => {
  await p.dispose();
});

describe("a rider's token", () => {
  test("reports only its own rider: another riderId is refused, a missing one is the token's subject", async () => {
    const rider = p.as("rider", { subject: "rider-ana" });
    const res = await rider.json<Ingested>("/v1/events/demand", {
      events: [
        { eventId: uid("e"), riderId: "rider-bob", lat: chelsea.lat, lng: chelsea.lng, kind: "search", at: now() },
        { eventId: "ana-1", lat: chelsea.lat, lng: chelsea.lng, kind: "search", at: now() },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejections).toEqual([{ index: 0, reason: expect.stringContaining("its own rider") }]);
    await eventually(
      async () => (rows("select actor_id from events where event_id = 'ana-1'") === "rider-ana" ? true : undefined),
      15_000,
      100,
    );
    expect(rows("select count(*) from events where actor_id = 'rider-bob'")).toBe("0");
  });

  test("a thousand requests in one batch are refused; a hundred from one rider in one cell count as one", async () => {
    const rider = p.as("rider", { subject: "rider-flood" });
    const event = () => ({ eventId: uid("f"), lat: times.lat, lng: times.lng, kind: "request", at: now() });
    const flood = await rider.json<Ingested>("/v1/events/demand", { events: Array.from({ length: 1000 }, event) });
    expect(flood.status).toBe(413);

    const before = await reading(times);
    const hundred = await rider.json<Ingested>("/v1/events/demand", { events: Array.from({ length: 100 }, event) });
    expect(hundred.status).toBe(202);
    expect(hundred.body.accepted).toBe(100); // all kept for history...
    await new Promise((r) => setTimeout(r, 1500));
    const after = await reading(times);
    // ...but live demand rose by one request at most, and the price did not move.
    expect(after.demand - before.demand).toBeLessThanOrEqual(1.0001);
    expect(after.multiplier).toBe(1);
    expect(rows("select count(*) from events where source = 'rider-flood'")).toBe("100");
  });

  test("while a partner's hundred distinct riders in that cell do raise the price", async () => {
    const partner = p.as("service", { subject: "partner-a" });
    const events = Array.from({ length: 100 }, () => ({
      eventId: uid("p"),
      riderId: uid("r"),
      lat: times.lat,
      lng: times.lng,
      kind: "request",
      at: now(),
    }));
    expect((await partner.json<Ingested>("/v1/events/demand", { events })).body.accepted).toBe(100);
    const raised = await eventually(async () => {
      const r = await reading(times);
      return r.multiplier > 1 ? r : undefined;
    }, 10_000);
    expect(raised.demand).toBeGreaterThan(50);
  });
});

describe("a driver's token", () => {
  test("reports only its own driver", async () => {
    const driver = p.as("driver", { subject: "drv-own" });
    const res = await driver.json<Ingested>("/v1/events/supply", {
      events: [
        { eventId: uid("s"), driverId: "drv-other", lat: chelsea.lat, lng: chelsea.lng, status: "offline", at: now() },
        { eventId: uid("s"), driverId: "drv-own", lat: chelsea.lat, lng: chelsea.lng, status: "available", at: now() },
      ],
    });
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejections[0]?.reason).toContain("its own driver");
  });

  test("a status stamped minutes ahead does not pin the driver: the next real one still counts", async () => {
    const driver = p.as("driver", { subject: "drv-skew" });
    const at = cellAt(40.7831, -73.9712); // Upper West Side
    const send = (status: string, stamp: string) =>
      driver.json<Ingested>("/v1/events/supply", {
        events: [{ eventId: uid("k"), driverId: "drv-skew", lat: at.lat, lng: at.lng, status, at: stamp }],
      });
    expect((await send("available", new Date(Date.now() + 4 * 60_000).toISOString())).body.accepted).toBe(1);
    await eventually(async () => ((await reading(at)).supply === 1 ? true : undefined), 5_000);
    expect((await send("offline", now())).body.accepted).toBe(1);
    await eventually(async () => ((await reading(at)).supply === 0 ? true : undefined), 5_000);
  });
});

describe("event ids belong to whoever reported them", () => {
  test("two partners choosing the same ids are both accepted, and history holds both", async () => {
    const a = p.as("service", { subject: "partner-left" });
    const b = p.as("service", { subject: "partner-right" });
    const events = ["shared-1", "shared-2", "shared-3"].map((eventId) => ({
      eventId,
      driverId: "d1",
      lat: village.lat,
      lng: village.lng,
      status: "available",
      at: now(),
    }));
    expect((await a.json<Ingested>("/v1/events/supply", { events })).body.accepted).toBe(3);
    expect((await b.json<Ingested>("/v1/events/supply", { events })).body).toMatchObject({ accepted: 3, duplicate: 0 });
    expect((await a.json<Ingested>("/v1/events/supply", { events })).body).toMatchObject({ accepted: 0, duplicate: 3 });
    await eventually(
      async () => (rows("select count(*) from events where event_id like 'shared-%'") === "6" ? true : undefined),
      15_000,
      100,
    );
    // Their drivers are theirs too: "d1" of each partner is a driver of its own.
    await eventually(async () => ((await reading(village)).supply === 2 ? true : undefined), 5_000);
  });
});
