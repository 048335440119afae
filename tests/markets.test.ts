import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dropDatabase, psql } from "../scripts/postgres";
import { demoMarket, putMarket } from "./support/fixtures";
import { freshDatabase, type Platform, startPlatform } from "./support/platform";

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
});
afterAll(async () => {
  await p.dispose();
});

describe("markets", () => {
  test("an operator defines a market; its geofence becomes H3 cells grouped into zones", async () => {
    const created = await p.json("/v1/markets/nyc", demoMarket("nyc-manhattan"), "PUT");
    expect(created.status).toBe(201);
    const m = created.body as Record<string, unknown>;
    expect(m.id).toBe("nyc");
    expect(m.cellCount).toBeGreaterThan(40);
    expect(m.zoneCount).toBeGreaterThan(1);
    expect(m.zoneResolution).toBe(6);
    expect((m.surge as Record<string, unknown>).cap).toBe(3);
    // Settings left out take their documented defaults.
    expect((m.surge as Record<string, unknown>).neighbourRings).toBe(1);

    const got = await (await p.fetch("/v1/markets/nyc")).json();
    expect(got).toEqual(m);
    const list = (await (await p.fetch("/v1/markets")).json()) as { markets: Array<{ id: string }> };
    expect(list.markets.map((x) => x.id)).toContain("nyc");
  });

  test("replacing a market bumps its version and answers 200", async () => {
    const first = await putMarket(p, "hcm", demoMarket("hcmc-central"));
    const again = await p.json("/v1/markets/hcm", demoMarket("hcmc-central", { name: "HCMC centre" }), "PUT");
    expect(again.status).toBe(200);
    expect((again.body as { version: number }).version).toBeGreaterThan(first.version);
    expect((again.body as { name: string }).name).toBe("HCMC centre");
  });

  test("a geofence overlapping another market is a conflict and changes nothing", async () => {
    const res = await p.json("/v1/markets/nyc-copy", demoMarket("nyc-manhattan"), "PUT");
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await p.fetch("/v1/markets/nyc-copy")).status).toBe(404);
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
      const res = await p.json("/v1/markets/bad-one", demoMarket("nyc-manhattan", patch), "PUT");
      expect(res.status).toBe(422);
      const body = res.body as { errors: Array<{ path: string }>; detail: string };
      expect(body.errors.some((e) => e.path.startsWith(path))).toBe(true);
      expect(body.detail).toContain(path.split(".")[0] as string);
      expect((await p.fetch("/v1/markets/bad-one")).status).toBe(404);
    });
  }

  test("a geofence too small to hold a cell centre is refused with advice", async () => {
    const tiny = {
      type: "Polygon",
      coordinates: [
        [
          [-73.98, 40.75],
          [-73.9799, 40.75],
          [-73.9799, 40.7501],
          [-73.98, 40.75],
        ],
      ],
    };
    const res = await p.json("/v1/markets/tiny", demoMarket("nyc-manhattan", { geofence: tiny }), "PUT");
    expect(res.status).toBe(422);
    expect((res.body as { detail: string }).detail).toContain("resolution");
  });

  test("an invalid market id or an unknown market is a problem, not a crash", async () => {
    expect((await p.json("/v1/markets/Not_Valid!", demoMarket("nyc-manhattan"), "PUT")).status).toBe(422);
    const missing = await p.fetch("/v1/markets/nowhere");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    expect((await p.fetch("/v1/markets/nowhere/heatmap")).status).toBe(404);
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
        const m = (await (await second.fetch("/v1/markets/nyc")).json()) as { version: number; surge: { cap: number } };
        expect(m.version).toBe(2);
        expect(m.surge.cap).toBe(2.2);
        const surge = await second.fetch("/v1/surge?lat=40.758&lng=-73.9855");
        expect(surge.status).toBe(200);
      } finally {
        await second.dispose();
      }
    } finally {
      dropDatabase(database.target, database.name);
    }
  });
});

function demoProduct() {
  return { id: "std", name: "Standard", baseFare: 300, perKm: 100, perMinute: 50, minimumFare: 900, bookingFee: 100 };
}
