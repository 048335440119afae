import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellAt, demoMarket, eventually, putMarket, uid } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";
import { envelopeText, type HistoryMessage } from "../shared/contracts/history";
import { SLICE_BYTES } from "../workers/history/slices";

/**
 * Nothing accepted is lost, whatever ids clients choose: one zone receives events whose ids are
 * as long and as wide (in bytes) as the contract allows, and every accepted one becomes exactly
 * one row. Ids Postgres could not keep are refused at the edge with a reason. A message that
 * Postgres refuses anyway is parked with its reason while the rest of its batch is written. A
 * stopping platform takes no new writes and empties every outbox.
 */

let p: Platform;
/** A partner's back end sends the events; the admin reads dead letters and stops the platform. */
let partner: Client;
let admin: Client;
const spot = cellAt(40.758, -73.9855);
const now = () => new Date().toISOString();

interface Ingested {
  accepted: number;
  duplicate: number;
  rejected: number;
  rejections: Array<{ index: number; reason: string }>;
}

function count(sql: string): number {
  return Number(psql(p.database.target, p.database.name, sql));
}

async function settled(expected: number, where: string): Promise<void> {
  await eventually(
    async () => (count(`select count(*) from events where ${where}`) === expected ? true : undefined),
    30_000,
    200,
  );
}

beforeAll(async () => {
  p = await startPlatform();
  partner = p.as("service");
  admin = p.as("admin");
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
});
afterAll(async () => {
  await p.dispose();
});

describe("hostile ids", () => {
  test("the widest ids the contract allows, 800 to one zone: every accepted event is one row, once", async () => {
    const wide = ["漢", "😀", "é", "ق"]; // 3, 4, 2 and 2 bytes in UTF-8
    const id = (i: number) => {
      const glyph = wide[i % wide.length] as string;
      const body = glyph.repeat(Math.floor((128 - 8) / glyph.length));
      return `${body}${String(i).padStart(8, "0")}`.slice(-128);
    };
    let accepted = 0;
    for (let batch = 0; batch < 2; batch++) {
      const events = Array.from({ length: 400 }, (_, k) => {
        const i = batch * 400 + k;
        return { eventId: id(i), riderId: id(i + 1_000_000), lat: spot.lat, lng: spot.lng, kind: "search", at: now() };
      });
      const res = await partner.json<Ingested>("/v1/events/demand", { events });
      expect(res.status).toBe(202);
      accepted += res.body.accepted;
    }
    expect(accepted).toBe(800);
    await settled(800, "length(event_id) > 60");
    expect(count("select count(distinct event_id) from events where length(event_id) > 60")).toBe(800);
    // Stored as sent: the longest ids survive byte for byte.
    expect(count(`select count(*) from events where event_id = '${id(1)}'`)).toBe(1);
  }, 60_000);

  test("ids Postgres could not keep (NUL, control characters, unpaired surrogates) are refused with a reason, the rest accepted", async () => {
    const good = uid("ok");
    const body = `{"events":[
      {"eventId":"nul\\u0000id","lat":${spot.lat},"lng":${spot.lng},"kind":"search","at":"${now()}"},
      {"eventId":"bell\\u0007","lat":${spot.lat},"lng":${spot.lng},"kind":"search","at":"${now()}"},
      {"eventId":"half\\ud83d","lat":${spot.lat},"lng":${spot.lng},"kind":"search","at":"${now()}"},
      {"eventId":"${good}","riderId":"r\\u0000","lat":${spot.lat},"lng":${spot.lng},"kind":"search","at":"${now()}"},
      {"eventId":"${good}","lat":${spot.lat},"lng":${spot.lng},"kind":"search","at":"${now()}"}]}`;
    const res = await partner.json<Ingested>("/v1/events/demand", body);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejections.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    for (const r of res.body.rejections) expect(r.reason).toContain("control characters or unpaired surrogates");
    await settled(1, `event_id = '${good}'`);
    expect(
      count("select count(*) from events where event_id like 'nul%' or event_id like 'bell%' or event_id like 'half%'"),
    ).toBe(0);
  });
});

describe("a message Postgres refuses", () => {
  test("is parked with Postgres' reason, and the messages beside it are written", async () => {
    const queue = await p.historyQueue();
    const event = (eventId: string) => ({
      kind: "demand" as const,
      source: "hostile-test",
      eventId,
      cell: spot.cell,
      at: Date.now(),
      actorId: null,
      status: "search",
    });
    const message = (eventId: string): HistoryMessage => ({ type: "events", market: "nyc", zone: "z", events: [event(eventId)] });
    const origin = { host: "zone" as const, name: "" };
    const before = (await (await admin.fetch("/v1/admin/dead-letters")).json()) as { count: number };
    await queue.sendBatch([
      { body: envelopeText(origin, 1, JSON.stringify(message("beside-1"))), contentType: "text" },
      // A raw NUL inside an id: what the edge refuses, sent straight onto the queue.
      { body: envelopeText(origin, 2, JSON.stringify(message("poison\u0000row"))), contentType: "text" },
      { body: envelopeText(origin, 3, JSON.stringify(message("beside-2"))), contentType: "text" },
    ]);
    await settled(2, "source = 'hostile-test'");
    const parked = await eventually(async () => {
      const s = (await (await admin.fetch("/v1/admin/dead-letters")).json()) as {
        count: number;
        reasons: Array<{ reason: string }>;
      };
      return s.count > before.count ? s : undefined;
    }, 15_000);
    expect(parked.count).toBe(before.count + 1);
    expect(parked.reasons.map((r) => r.reason).join(" ")).toMatch(/22021|invalid byte sequence|0x00/);
  });
});

describe("a batch larger than a slice", () => {
  test("is written slice by slice: a refused message in a later slice is parked, every message of every slice but it written", async () => {
    const queue = await p.historyQueue();
    const origin = { host: "zone" as const, name: "" };
    const run = uid("slices");
    // 30 messages of ~95 KB (two slices at least), sent at once so the
    // queue gathers them into one batch; the last one carries a NUL Postgres refuses.
    const PER_MESSAGE = 480;
    const bodies = Array.from({ length: 30 }, (_, m) => {
      const message: HistoryMessage = {
        type: "events",
        market: "nyc",
        zone: "z",
        events: Array.from({ length: PER_MESSAGE }, (_, i) => ({
          kind: "demand" as const,
          source: run,
          eventId: m === 29 && i === 0 ? "poison\u0000row" : `${run}-${m}-${i}-${"x".repeat(40)}`,
          cell: spot.cell,
          at: Date.now(),
          actorId: `rider-${m}-${i}`,
          status: "search",
        })),
      };
      return envelopeText(origin, m + 1, JSON.stringify(message));
    });
    // The poisoned message lies beyond the first slice.
    expect(bodies.slice(0, -1).reduce((n, b) => n + b.length, 0)).toBeGreaterThan(SLICE_BYTES);
    const before = (await (await admin.fetch("/v1/admin/dead-letters")).json()) as { count: number };
    await Promise.all(bodies.map((body) => queue.send(body, { contentType: "text" })));
    await settled(29 * PER_MESSAGE, `source = '${run}' and event_id not like '${run}-29-%'`);
    const parked = await eventually(async () => {
      const s = (await (await admin.fetch("/v1/admin/dead-letters")).json()) as { count: number };
      return s.count > before.count ? s : undefined;
    }, 15_000);
    expect(parked.count).toBe(before.count + 1);
    // The parked message's other events may be written already (events go in two halves, each its
    // own statement); the one Postgres refuses is not, and none is written twice.
    expect(count(`select count(*) from events where source = '${run}' and event_id like 'poison%'`)).toBe(0);
    expect(count(`select count(*) - count(distinct event_id) from events where source = '${run}'`)).toBe(0);
  }, 60_000);
});

describe("a stopping platform", () => {
  test("refuses new writes (retryable), and every outbox empties into Postgres", async () => {
    const events = Array.from({ length: 300 }, () => ({
      eventId: uid("drain"),
      riderId: uid("r"),
      lat: spot.lat,
      lng: spot.lng,
      kind: "search",
      at: now(),
    }));
    const sent = await partner.json<Ingested>("/v1/events/demand", { events });
    expect(sent.body.accepted).toBe(300);
    const drain = await admin.json<{ draining: boolean }>("/v1/system/drain", {});
    expect(drain.body.draining).toBe(true);

    const refused = await partner.json<Ingested>("/v1/events/demand", { events: events.slice(0, 1) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBeTruthy();
    const quote = await p.as("rider").json("/v1/quotes", {
      pickup: { lat: spot.lat, lng: spot.lng },
      dropoff: { lat: 40.7069, lng: -74.0113 },
      product: "standard",
    });
    expect(quote.status).toBe(503);

    await eventually(
      async () => {
        const b = (await (await admin.fetch("/v1/system/backlog")).json()) as { pending: number; draining: boolean };
        return b.pending === 0 && b.draining ? true : undefined;
      },
      30_000,
      250,
    );
    expect(count("select count(*) from events where event_id like 'drain-%'")).toBe(300);
    const ready = (await (await admin.fetch("/health/ready?deep=1")).json()) as {
      checks: Record<string, { status: string }>;
    };
    expect(ready.checks.history?.status).toBe("ok");

    await admin.json("/v1/system/drain", { draining: false });
    expect(
      (await partner.json<Ingested>("/v1/events/demand", { events: [{ ...events[0], eventId: uid("again") }] })).status,
    ).toBe(202);
  });
});
