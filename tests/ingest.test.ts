import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToLatLng, cellToParent, gridDisk } from "h3-js";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, supplyEvents, uid } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";

let p: Platform;
/** A partner's back end reports its drivers and riders; the price is read as a rider. */
let partner: Client;
let rider: Client;
const midtown = cellAt(40.758, -73.9855);
const soho = cellAt(40.7233, -74.003);
const nextDoor = neighbourInSameZone(soho.cell);

interface Ingested {
  accepted: number;
  duplicate: number;
  rejected: number;
  rejections: Array<{ index: number; reason: string }>;
}

async function surgeAt(at: { lat: number; lng: number }) {
  return (await (await rider.fetch(`/v1/surge?lat=${at.lat}&lng=${at.lng}`)).json()) as {
    supply: number;
    demand: number;
    multiplier: number;
  };
}

beforeAll(async () => {
  p = await startPlatform();
  partner = p.as("service");
  rider = p.as("rider");
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
});
afterAll(async () => {
  await p.dispose();
});

describe("ingest", () => {
  test("drivers report in; each available driver counts once in the cell they are in", async () => {
    const drivers = supplyEvents(soho, 3);
    const res = await partner.json<Ingested>("/v1/events/supply", { events: drivers });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 3, duplicate: 0, rejected: 0, rejections: [] });
    await eventually(async () => ((await surgeAt(soho)).supply === 3 ? true : undefined));
    // The same drivers move one cell over: they leave the first cell's supply.
    const moved = drivers.map((d) => ({
      ...d,
      eventId: uid("s"),
      lat: nextDoor.lat,
      lng: nextDoor.lng,
      at: new Date().toISOString(),
    }));
    expect((await partner.json<Ingested>("/v1/events/supply", { events: moved })).body.accepted).toBe(3);
    await eventually(async () =>
      (await surgeAt(soho)).supply === 0 && (await surgeAt(nextDoor)).supply === 3 ? true : undefined,
    );
    // One goes busy; an older "available" report of theirs arriving late does not bring them back.
    const busy = { ...moved[0], eventId: uid("s"), status: "busy", at: new Date().toISOString() };
    expect((await partner.json<Ingested>("/v1/events/supply", { events: [busy] })).status).toBe(202);
    const late = { ...moved[0], eventId: uid("s"), status: "available", at: new Date(Date.now() - 10_000).toISOString() };
    expect((await partner.json<Ingested>("/v1/events/supply", { events: [late] })).body.accepted).toBe(1);
    await eventually(async () => ((await surgeAt(nextDoor)).supply === 2 ? true : undefined));
    expect((await surgeAt(midtown)).supply).toBe(0);
  });

  test("a full batch of a thousand drivers is taken whole", async () => {
    const res = await partner.json<Ingested>("/v1/events/supply", { events: supplyEvents(soho, 1000) });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1000, duplicate: 0, rejected: 0, rejections: [] });
    await eventually(async () => ((await surgeAt(soho)).supply >= 1000 ? true : undefined));
  });

  test("a bad event rejects only itself, with its index and reason", async () => {
    const good = demandEvents(soho, 2);
    const events = [
      good[0],
      { ...good[1], eventId: uid("d"), lat: Number.NaN },
      { ...good[1], eventId: uid("d"), lat: 123 },
      { ...good[1], eventId: uid("d"), kind: "teleport" },
      { ...good[1], eventId: uid("d"), lat: 48.8566, lng: 2.3522 },
      { ...good[1], eventId: uid("d"), at: new Date(Date.now() + 3_600_000).toISOString() },
      { ...good[1], eventId: uid("d"), at: "yesterday" },
      "not an event",
      good[1],
    ];
    // JSON has no NaN: a client's NaN arrives as null.
    const res = await partner.json<Ingested>("/v1/events/demand", { events });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected).toBe(7);
    expect(res.body.rejections.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const reasons = Object.fromEntries(res.body.rejections.map((r) => [r.index, r.reason]));
    expect(reasons[2]).toContain("lat");
    expect(reasons[3]).toContain("kind");
    expect(reasons[4]).toContain("outside every market");
    expect(reasons[5]).toContain("future");
    expect(reasons[6]).toContain("at");
  });

  test("replaying a batch changes nothing: every event is a duplicate", async () => {
    const cell = cellAt(40.7484, -73.9857); // Empire State
    const batch = { events: demandEvents(cell, 5) };
    expect((await partner.json<Ingested>("/v1/events/demand", batch)).body.accepted).toBe(5);
    const before = await surgeAt(cell);
    const replay = await partner.json<Ingested>("/v1/events/demand", batch);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ accepted: 0, duplicate: 5, rejected: 0, rejections: [] });
    const after = await surgeAt(cell);
    // Demand only decays between the two readings; a replay would have added 5.
    expect(after.demand).toBeLessThanOrEqual(before.demand);
  });

  test("a batch with no acceptable event is a 422 problem listing each rejection", async () => {
    const res = await partner.json<Ingested & { detail: string }>("/v1/events/demand", {
      events: [{ eventId: "x", lat: 0, lng: 0, kind: "request", at: new Date().toISOString() }],
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.rejections[0]?.reason).toContain("outside every market");
  });

  test("malformed JSON, a wrong envelope, an empty or oversized batch are 4xx problems", async () => {
    const cases: Array<[string, number]> = [
      ["{not json", 400],
      ['{"events": [{"lat": NaN}]}', 400],
      ['{"events": "many"}', 422],
      ['{"events": []}', 422],
      ["[]", 422],
      [JSON.stringify({ events: demandEvents(soho, 1001) }), 413],
    ];
    for (const [body, status] of cases) {
      const res = await partner.fetch("/v1/events/demand", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(((await res.json()) as { detail: string }).detail.length).toBeGreaterThan(10);
    }
    const huge = JSON.stringify({
      events: demandEvents(soho, 1000).map((e) => ({ ...e, riderId: "r".repeat(128), pad: "x".repeat(400) })),
    });
    expect(
      (await partner.fetch("/v1/events/demand", { method: "POST", headers: { "content-type": "application/json" }, body: huge }))
        .status,
    ).toBe(413);
  });
});

function neighbourInSameZone(cell: string) {
  const other = gridDisk(cell, 1).find((c) => c !== cell && cellToParent(c, 6) === cellToParent(cell, 6));
  if (!other) throw new Error("no neighbour in the same zone");
  const [lat, lng] = cellToLatLng(other);
  return { cell: other, lat, lng };
}
