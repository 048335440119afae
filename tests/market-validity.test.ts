import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { demoMarket, putMarket, supplyEvents } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";
import { geometryFaults, rewound, timezoneFault } from "../shared/pricing/geofence-faults";
import type { Geofence } from "../shared/pricing/market";

/**
 * As an operator draws a market: a geofence written [lat, lng] (New York's would lie
 * in Antarctica), one that crosses itself, a hole outside its outline or a time zone a continent
 * away is refused with every fault named at its field, in the operator's language; a ring turned
 * the wrong way is accepted and stored as RFC 7946 turns it. A market that is done is archived
 * (no longer priced, its area free) and then deleted, its history kept.
 */

const polygon = (...ring: number[][]): Geofence => ({ type: "Polygon", coordinates: [ring] });
/** A square around Times Square, counter-clockwise. */
const square = polygon([-73.99, 40.75], [-73.98, 40.75], [-73.98, 40.76], [-73.99, 40.76], [-73.99, 40.75]);

describe("faults of a geofence, pure", () => {
  test("convex polygons drawn either way round have no fault, and are stored counter-clockwise", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 40 }),
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: -60, max: 60, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.boolean(),
        (n, lng, lat, r, clockwise) => {
          const ring = Array.from({ length: n }, (_, i) => {
            const t = ((clockwise ? -1 : 1) * 2 * Math.PI * i) / n;
            return [lng + r * Math.cos(t), lat + r * Math.sin(t)];
          });
          const geofence = polygon(...ring, ring[0] as number[]);
          expect(geometryFaults(geofence)).toEqual([]);
          const turned = rewound(geofence).coordinates[0] as number[][];
          const area = turned
            .slice(1)
            .reduce((s, p, i) => s + ((turned[i]?.[0] ?? 0) * (p[1] ?? 0) - (p[0] ?? 0) * (turned[i]?.[1] ?? 0)), 0);
          expect(area).toBeGreaterThan(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("two vertices of a square swapped make a bow tie that crosses itself at its middle", () => {
    const bowTie = polygon([-73.99, 40.75], [-73.98, 40.76], [-73.98, 40.75], [-73.99, 40.76], [-73.99, 40.75]);
    const [fault] = geometryFaults(bowTie);
    expect(fault).toMatchObject({
      path: ["coordinates", 0],
      kind: "ring-crosses",
      params: { crossed: "same", lat: 40.755, lng: -73.985 },
    });
  });

  test("a time zone hours from the geofence is the time zone's fault, unless [lat, lng] would fit it", () => {
    expect(timezoneFault(square, "America/New_York")).toBeUndefined();
    expect(timezoneFault(square, "Asia/Tokyo")).toMatchObject({ path: ["timezone"], kind: "timezone-far" });
    const written = square.coordinates[0]?.map(([lng, lat]) => [lat, lng]) as number[][];
    expect(timezoneFault(polygon(...written), "America/New_York")).toMatchObject({
      path: ["geofence"],
      kind: "geofence-swapped",
    });
    // Western China keeps Beijing's clock, three hours ahead of its longitude: plausible.
    const kashgar = polygon([75.9, 39.4], [76.1, 39.4], [76.1, 39.6], [75.9, 39.6], [75.9, 39.4]);
    expect(timezoneFault(kashgar, "Asia/Shanghai")).toBeUndefined();
    // Kiribati's Line Islands keep UTC+14 at 157° W: a day ahead, the same hour.
    const kiritimati = polygon([-157.5, 1.8], [-157.2, 1.8], [-157.2, 2.0], [-157.5, 2.0], [-157.5, 1.8]);
    expect(timezoneFault(kiritimati, "Pacific/Kiritimati")).toBeUndefined();
  });
});

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc-manhattan", demoMarket("nyc-manhattan"));
});
afterAll(async () => {
  await p?.dispose();
});

describe("an operator drawing a market", () => {
  const operator = () => p.as("operator", { markets: ["test-market", "midtown"] });
  const put = (id: string, patch: Record<string, unknown>, query = "") =>
    operator().json<{ code: string; detail: string; errors: Array<{ path: string; message: string }> }>(
      `/v1/markets/${id}${query}`,
      demoMarket("nyc-manhattan", patch),
      "PUT",
    );

  test("New York written [lat, lng] is refused with the hint, not accepted in Antarctica", async () => {
    const written = square.coordinates[0]?.map(([lng, lat]) => [lat, lng]);
    const res = await put("test-market", { name: "Test", geofence: { type: "Polygon", coordinates: [written] } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        path: "geofence",
        message:
          "lies around -73.985, 40.755, far from America/New_York; read as [lat, lng] its positions would lie around 40.755, -73.985, which fits: GeoJSON positions are [longitude, latitude]",
      },
    ]);
    expect((await p.as("rider").fetch("/v1/markets/test-market")).status).toBe(404);
  });

  test("every fault is named at its field, all at once, in the operator's language", async () => {
    const res = await put(
      "test-market",
      {
        name: "",
        resolution: 8,
        zoneResolution: 4,
        geofence: polygon([-73.99, 40.75], [-73.98, 95], [-73.98, 40.75], [-73.99, 40.76], [-73.99, 40.75]),
      },
      "?locale=es",
    );
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: "name", message: "no puede estar vacío" },
      {
        path: "geofence.coordinates.0.1",
        message: "[-73.98, 95] parece [lat, lng]: las posiciones GeoJSON son [longitud, latitud]",
      },
      {
        path: "zoneResolution",
        message: "debe estar de 1 a 3 niveles por debajo de la resolución de las celdas: de 5 a 7 para celdas de resolución 8",
      },
    ]);
    const crossing = await put("test-market", {
      geofence: polygon([-73.99, 40.75], [-73.98, 40.76], [-73.98, 40.75], [-73.99, 40.76], [-73.99, 40.75]),
    });
    expect(crossing.body.errors.map((e) => e.path)).toEqual(["geofence.coordinates.0"]);
    expect(crossing.body.errors[0]?.message).toBe("this ring crosses itself near 40.755, -73.985");
    const far = await put("test-market", { geofence: square, timezone: "Europe/Paris" });
    expect(far.body.errors).toEqual([
      {
        path: "timezone",
        message:
          "Europe/Paris keeps UTC+1, but the geofence lies at -73.99° longitude, where clocks keep about UTC−5: is the time zone or the geofence wrong?",
      },
    ]);
  });

  test("a ring drawn clockwise is accepted and stored counter-clockwise", async () => {
    // Jersey City, across the Hudson: drawn clockwise.
    const clockwise = [
      [-74.08, 40.71],
      [-74.08, 40.73],
      [-74.06, 40.73],
      [-74.06, 40.71],
      [-74.08, 40.71],
    ];
    const res = await p
      .as("operator", { markets: ["jersey-city"] })
      .json<{ geofence: Geofence }>(
        "/v1/markets/jersey-city",
        demoMarket("nyc-manhattan", { name: "Jersey City", geofence: polygon(...clockwise) }),
        "PUT",
      );
    expect(res.status).toBe(201);
    expect(res.body.geofence.coordinates[0]).toEqual([...clockwise].reverse());
  });
});

describe("a market's end: archived, then deleted, its history kept", () => {
  test("archived, it is listed but no longer priced and its area is free; deleted, its history stays", async () => {
    const operator = p.as("operator", { markets: ["midtown-trial"] });
    const admin = p.as("admin");
    const midtown = polygon([-73.99, 40.75], [-73.98, 40.75], [-73.98, 40.76], [-73.99, 40.76], [-73.99, 40.75]);
    // A trial market beside Manhattan's: first Manhattan is archived so the trial may take the area.
    expect((await admin.json("/v1/markets/nyc-manhattan/archive", { reason: "make room for a trial" }, "POST")).status).toBe(200);
    const created = await operator.json<{ version: number }>(
      "/v1/markets/midtown-trial",
      demoMarket("nyc-manhattan", { name: "Midtown trial", geofence: midtown }),
      "PUT",
    );
    expect(created.status).toBe(201);
    await p.as("service").json("/v1/events/supply", { events: supplyEvents({ lat: 40.755, lng: -73.985 }, 3) });

    // The operator may not delete an active market, nor (not an admin) any market.
    expect((await admin.fetch("/v1/markets/midtown-trial", { method: "DELETE" })).status).toBe(409);
    expect((await operator.fetch("/v1/markets/midtown-trial", { method: "DELETE" })).status).toBe(403);

    // Archiving says why (the audit keeps it); without a reason nothing happens.
    expect((await operator.json("/v1/markets/midtown-trial/archive", {}, "POST")).status).toBe(422);
    const archived = await operator.json<{ archivedAt: string; version: number }>(
      "/v1/markets/midtown-trial/archive",
      { reason: "trial over" },
      "POST",
    );
    expect(archived.status).toBe(200);
    expect(Date.parse(archived.body.archivedAt)).toBeGreaterThan(0);
    expect(archived.body.version).toBe(created.body.version + 1);
    const listed = (await (await p.as("admin").fetch("/v1/markets")).json()) as {
      markets: Array<{ id: string; archivedAt?: string }>;
    };
    expect(listed.markets.find((m) => m.id === "midtown-trial")?.archivedAt).toBe(archived.body.archivedAt);
    // No longer priced: the point is outside every market now.
    expect((await p.as("rider").fetch("/v1/surge?lat=40.755&lng=-73.985")).status).toBe(404);
    const quote = await p
      .as("rider")
      .json("/v1/quotes", { pickup: { lat: 40.755, lng: -73.985 }, dropoff: { lat: 40.756, lng: -73.984 }, product: "standard" });
    expect(quote.status).toBe(422);

    const deleted = await admin.fetch("/v1/markets/midtown-trial", { method: "DELETE" });
    expect(await deleted.json()).toEqual({ deleted: true, id: "midtown-trial", versionsKept: 2 });
    expect((await admin.fetch("/v1/markets/midtown-trial")).status).toBe(404);
    // Its events and configuration versions are still in history.
    const db = p.database;
    const events = await waitForRows(() =>
      Number(psql(db.target, db.name, "SELECT count(*) FROM events WHERE market_id = 'midtown-trial'")),
    );
    expect(events).toBe(3);
    expect(psql(db.target, db.name, "SELECT count(*) FROM market_versions WHERE market_id = 'midtown-trial'")).toBe("2");
    const audit = psql(
      db.target,
      db.name,
      "SELECT string_agg(action, ',' ORDER BY at) FROM audit_log WHERE target = 'midtown-trial'",
    );
    expect(audit).toBe("market.put,market.archive,market.delete");

    // Manhattan back: PUT restores an archived market (its area is free again).
    const restored = await putMarket(p, "nyc-manhattan", demoMarket("nyc-manhattan"));
    expect(restored).toBeDefined();
    expect(restored.version).toBe(3);
    const timesSquare = (await (await p.as("rider").fetch("/v1/surge?lat=40.758&lng=-73.9855")).json()) as { market: string };
    expect(timesSquare.market).toBe("nyc-manhattan");
  }, 60_000);
});

async function waitForRows(count: () => number, ms = 15_000): Promise<number> {
  const deadline = Date.now() + ms;
  let n = count();
  while (n === 0 && Date.now() < deadline) {
    await Bun.sleep(200);
    n = count();
  }
  return n;
}
