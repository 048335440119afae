import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToLatLng, latLngToCell } from "h3-js";
import { freshDatabase } from "../harness/database";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { dropDatabase, psql } from "../scripts/postgres";

let p: Platform;
/** Riders read markets and their prices. */
let rider: Client;
beforeAll(async () => {
  p = await startPlatform();
  rider = p.as("rider");
});

/** A market put by its operator (an operator of that market only), answered as it is. */
const put = (id: string, body: Record<string, unknown>) =>
  p.as("operator", { markets: [id] }).json(`/v1/markets/${id}`, body, "PUT");
afterAll(async () => {
  await p.dispose();
});

describe("markets", () => {
  test("an operator defines a market; its geofence becomes H3 cells grouped into zones", async () => {
    const created = await put("nyc", demoMarket("nyc-manhattan"));
    expect(created.status).toBe(201);
    const m = created.body as Record<string, unknown>;
    expect(m.id).toBe("nyc");
    expect(m.cellCount).toBeGreaterThan(40);
    expect(m.zoneCount).toBeGreaterThan(1);
    expect(m.zoneResolution).toBe(6);
    expect((m.surge as Record<string, unknown>).cap).toBe(3);
    // Settings left out take their documented defaults.
    expect((m.surge as Record<string, unknown>).neighbourRings).toBe(1);

    const got = await (await rider.fetch("/v1/markets/nyc")).json();
    expect(got).toEqual(m);
    const list = (await (await rider.fetch("/v1/markets")).json()) as { markets: Array<{ id: string }> };
    expect(list.markets.map((x) => x.id)).toContain("nyc");
  });

  test("replacing a market bumps its version and answers 200", async () => {
    const first = await putMarket(p, "hcm", demoMarket("hcmc-central"));
    const again = await put("hcm", demoMarket("hcmc-central", { name: "HCMC centre" }));
    expect(again.status).toBe(200);
    expect((again.body as { version: number }).version).toBeGreaterThan(first.version);
    expect((again.body as { name: string }).name).toBe("HCMC centre");
  });

  test("a geofence overlapping another market is a conflict and changes nothing", async () => {
    const res = await put("nyc-copy", demoMarket("nyc-manhattan"));
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await rider.fetch("/v1/markets/nyc-copy")).status).toBe(404);
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ["an unknown currency", { currency: "XXQ" }, "currency"],
    ["an unknown time zone", { timezone: "Mars/Olympus" }, "timezone"],
    ["a malformed locale", { locale: "not a locale!" }, "locale"],
    [
      "an open polygon ring",
      {
        geofence: {
          type: "Polygon",
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        },
      },
      "geofence",
    ],
    [
      "a latitude out of range",
      {
        geofence: {
          type: "Polygon",
          coordinates: [
            [
              [0, 95],
              [1, 0],
              [1, 1],
              [0, 95],
            ],
          ],
        },
      },
      "geofence",
    ],
    ["a cap below 1", { surge: { cap: 0.5 } }, "surge.cap"],
    [
      "a negative fare",
      { products: [{ id: "x", name: "X", baseFare: -1, perKm: 1, perMinute: 1, minimumFare: 1, bookingFee: 0 }] },
      "products",
    ],
    [
      "a fractional minor amount",
      { products: [{ id: "x", name: "X", baseFare: 1.5, perKm: 1, perMinute: 1, minimumFare: 1, bookingFee: 0 }] },
      "products",
    ],
    ["duplicate product ids", { products: [demoProduct(), demoProduct()] }, "products"],
    ["a zone resolution finer than cells", { zoneResolution: 9 }, "zoneResolution"],
  ];
  for (const [what, patch, path] of invalid) {
    test(`${what} is a 422 naming the field, and no market is created`, async () => {
      const res = await put("bad-one", demoMarket("nyc-manhattan", patch));
      expect(res.status).toBe(422);
      const body = res.body as { errors: Array<{ path: string }>; detail: string };
      expect(body.errors.some((e) => e.path.startsWith(path))).toBe(true);
      expect(body.detail).toContain(path.split(".")[0] as string);
      expect((await rider.fetch("/v1/markets/bad-one")).status).toBe(404);
    });
  }

  test("a geofence smaller than one cell covers that cell, and only the geofence's points are served", async () => {
    // About 8 m across, in Paris (no other market near), inside one resolution-8 cell.
    const tiny = ring([
      [2.35, 48.85],
      [2.3501, 48.85],
      [2.3501, 48.8501],
      [2.35, 48.85],
    ]);
    const res = await put("tiny", demoMarket("nyc-manhattan", { geofence: tiny, timezone: "Europe/Paris" }));
    expect(res.status).toBe(201);
    expect((res.body as { cellCount: number }).cellCount).toBe(1);
    expect((await rider.fetch("/v1/surge?lat=48.85003&lng=2.35007")).status).toBe(200);
    // Another point of the same cell, outside the geofence, is not the market's.
    const [lat, lng] = cellToLatLng(latLngToCell(48.85003, 2.35007, 8));
    if (Math.abs(lat - 48.85005) < 0.0002 && Math.abs(lng - 2.35005) < 0.0002)
      throw new Error("the cell's centre is in the geofence");
    const outside = await rider.fetch(`/v1/surge?lat=${lat}&lng=${lng}`);
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as { detail: string }).detail).toContain("No market");
  });

  test("a geofence without area is refused", async () => {
    const flat = ring([
      [-73.98, 40.75],
      [-73.97, 40.76],
      [-73.96, 40.77],
      [-73.98, 40.75],
    ]);
    const res = await put("flat", demoMarket("nyc-manhattan", { geofence: flat }));
    expect(res.status).toBe(422);
    expect((res.body as { code: string }).code).toBe("geofence-empty");
  });

  test("an invalid market id or an unknown market is a problem, not a crash", async () => {
    expect((await put("Not_Valid!", demoMarket("nyc-manhattan"))).status).toBe(422);
    const missing = await rider.fetch("/v1/markets/nowhere");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    // A whole market's map is its operator's to see, and this one's operator finds none.
    expect((await p.as("operator", { markets: ["nowhere"] }).fetch("/v1/markets/nowhere/heatmap")).status).toBe(404);
  });
});

describe("markets may share borders, not areas", () => {
  /** Manhattan's east side as the demo geofence draws it, from the Brooklyn Bridge to East Harlem. */
  const eastSide = [
    [-73.9776, 40.7106],
    [-73.972, 40.7392],
    [-73.9595, 40.758],
    [-73.9421, 40.7762],
    [-73.9288, 40.7966],
  ];

  test("a continent-sized geofence is refused from its estimate, before any cell is computed", async () => {
    const africa = ring([
      [-17, -34],
      [51, -34],
      [51, 37],
      [-17, 37],
      [-17, -34],
    ]);
    const started = performance.now();
    const res = await put("africa", demoMarket("nyc-manhattan", { geofence: africa, timezone: "Africa/Lagos" }));
    const ms = performance.now() - started;
    console.log(`continent refused in ${ms.toFixed(0)} ms`);
    expect(res.status).toBe(422);
    const body = res.body as { code: string; detail: string; estimate: { atLeast: number; areaKm2: number } };
    expect(body.code).toBe("geofence-too-large");
    expect(body.estimate.atLeast).toBeGreaterThan(10_000_000); // computing those cells would take minutes
    expect(body.detail).toContain("at most 50,000");
    expect(ms).toBeLessThan(2_000);
    expect((await rider.fetch("/v1/markets/africa")).status).toBe(404);
  });

  test("an operator cannot claim another market's city: a geofence around it is a 409 naming it", async () => {
    await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
    const operator = p.as("operator", { subject: "op-metro", markets: ["metro"] });
    // The whole metropolitan area, Manhattan inside it, in coarse cells (whose centres miss Manhattan's).
    const metro = ring([
      [-74.3, 40.5],
      [-73.6, 40.5],
      [-73.6, 41.0],
      [-74.3, 41.0],
      [-74.3, 40.5],
    ]);
    const body = demoMarket("nyc-manhattan", { geofence: metro, resolution: 5, zoneResolution: 3 });
    const res = await operator.json("/v1/markets/metro", body, "PUT");
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = res.body as { code: string; market: string; detail: string };
    expect(problem.market).toBe("nyc");
    expect(problem.detail).toContain('"nyc"');
    expect((await rider.fetch("/v1/markets/metro")).status).toBe(404);
    // Times Square is still Manhattan's.
    const surge = (await (await rider.fetch("/v1/surge?lat=40.758&lng=-73.9855")).json()) as { market: string };
    expect(surge.market).toBe("nyc");
  });

  test("a neighbour drawn along the same border is accepted, and each side of the river is its own market's", async () => {
    await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
    // Queens and Brooklyn's waterfront, east of Manhattan's east side: the shared edges, then east.
    const waterfront = ring([...eastSide, [-73.9, 40.7966], [-73.9, 40.7106], eastSide[0] as number[]]);
    const res = await put("waterfront", demoMarket("nyc-manhattan", { geofence: waterfront }));
    expect(res.status).toBe(201);
    // Either side of the edge from (-73.972, 40.7392) to (-73.9595, 40.758), 20 m apart: one cell, two markets.
    const mid = { lat: (40.7392 + 40.758) / 2, lng: (-73.972 + -73.9595) / 2 };
    const west = (await (await rider.fetch(`/v1/surge?lat=${mid.lat}&lng=${mid.lng - 0.0002}`)).json()) as {
      market: string;
      cell: string;
    };
    const east = (await (await rider.fetch(`/v1/surge?lat=${mid.lat}&lng=${mid.lng + 0.0002}`)).json()) as {
      market: string;
      cell: string;
    };
    expect(west.market).toBe("nyc");
    expect(east.market).toBe("waterfront");
    expect(east.cell).toBe(west.cell);
  });

  test("moving a neighbour's border into Manhattan is a conflict", async () => {
    const shifted = eastSide.map(([lng = 0, lat = 0]) => [lng - 0.004, lat]);
    const waterfront = ring([...shifted, [-73.9, 40.7966], [-73.9, 40.7106], shifted[0] as number[]]);
    const res = await put("waterfront", demoMarket("nyc-manhattan", { geofence: waterfront }));
    expect(res.status).toBe(409);
    expect((res.body as { market: string }).market).toBe("nyc");
  });
});

describe("markets live in Postgres", () => {
  test("every version of a market is kept, and a new deployment finds them all again", async () => {
    const database = await freshDatabase();
    try {
      const first = await startPlatform({ database });
      await putMarket(first, "nyc", demoMarket("nyc-manhattan"));
      await putMarket(first, "nyc", demoMarket("nyc-manhattan", { surge: { cap: 2.2 } }));
      await first.dispose();
      expect(
        psql(
          database.target,
          database.name,
          "select string_agg(version::text, ',' order by version) from market_versions where market_id = 'nyc'",
        ),
      ).toBe("1,2");
      expect(psql(database.target, database.name, "select body->'surge'->>'cap' from markets where id = 'nyc'")).toBe("2.2");

      // Fresh Durable Object storage, same database: the directory fills itself from Postgres.
      const second = await startPlatform({ database });
      try {
        const m = (await (await second.as("rider").fetch("/v1/markets/nyc")).json()) as {
          version: number;
          surge: { cap: number };
        };
        expect(m.version).toBe(2);
        expect(m.surge.cap).toBe(2.2);
        const surge = await second.as("rider").fetch("/v1/surge?lat=40.758&lng=-73.9855");
        expect(surge.status).toBe(200);
      } finally {
        await second.dispose();
      }
    } finally {
      dropDatabase(database.target, database.name);
    }
  });
});

function ring(positions: number[][]) {
  return { type: "Polygon", coordinates: [positions] };
}

function demoProduct() {
  return { id: "std", name: "Standard", baseFare: 300, perKm: 100, perMinute: 50, minimumFare: 900, bookingFee: 100 };
}
