import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, supplyEvents } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { computeFare } from "../shared/pricing/fare";
import { estimateTrip } from "../shared/pricing/trip";

/**
 * The product's core story, end to end in workerd: demand outruns supply in one place, the
 * multiplier rises there (and only there), a quote charges it, the quote verifies, and the
 * state survives a restart.
 */

let p: Platform;
/** A partner's back end reports drivers and ride requests; a rider reads the price and quotes; the operator watches. */
let partner: Client;
let rider: Client;
let operator: Client;
let dir: string;
const timesSquare = cellAt(40.758, -73.9855);
const batteryPark = cellAt(40.7033, -74.017);
const wallStreet = { lat: 40.7069, lng: -74.0113 };

interface Reading {
  cell: string;
  multiplier: number;
  supply: number;
  demand: number;
  seq: number;
  explanation: { cap: number; pooled: { cells: number }; ratio: number; shown: number };
}
interface Quote {
  quoteId: string;
  token: string;
  multiplier: number;
  total: number;
  totalFormatted: string;
  breakdown: { subtotal: number; surcharge: number; total: number };
  distanceMeters: number;
  durationSeconds: number;
  expiresAt: string;
  explanation: { shown: number };
}

const surgeAt = async (at: { lat: number; lng: number }) =>
  (await (await rider.fetch(`/v1/surge?lat=${at.lat}&lng=${at.lng}`)).json()) as Reading;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "equilibrium-pricing-"));
  p = await startPlatform({ persistDir: dir });
  partner = p.as("service");
  rider = p.as("rider");
  operator = p.as("operator", { markets: ["nyc"] });
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
});
afterAll(async () => {
  await p.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("a show lets out in Times Square", () => {
  test("the multiplier rises where demand outruns supply, stays under the cap, and stays 1.0 where it doesn't", async () => {
    await partner.json("/v1/events/supply", { events: supplyEvents(timesSquare, 3) });
    await partner.json("/v1/events/supply", { events: supplyEvents(batteryPark, 4) });
    await partner.json("/v1/events/demand", { events: demandEvents(batteryPark, 3) });
    const res = await partner.json<{ accepted: number }>("/v1/events/demand", { events: demandEvents(timesSquare, 40) });
    expect(res.body.accepted).toBe(40);

    const hot = await eventually(async () => {
      const r = await surgeAt(timesSquare);
      return r.multiplier >= 2 ? r : undefined;
    });
    expect(hot.multiplier).toBeLessThanOrEqual(3);
    expect(hot.supply).toBe(3);
    expect(hot.demand).toBeGreaterThan(39);
    expect(hot.explanation.ratio).toBeGreaterThan(1);
    expect(hot.explanation.pooled.cells).toBeGreaterThan(1); // neighbours weighed in

    const calm = await surgeAt(batteryPark);
    expect(calm.multiplier).toBe(1);
    expect(calm.supply).toBe(4);

    const heatmap = (await (await operator.fetch("/v1/markets/nyc/heatmap")).json()) as {
      cells: Array<{ cell: string; multiplier: number }>;
    };
    expect(heatmap.cells.find((c) => c.cell === timesSquare.cell)?.multiplier).toBeGreaterThanOrEqual(2);
    expect(heatmap.cells.find((c) => c.cell === batteryPark.cell)?.multiplier).toBe(1);
    expect(Math.max(...heatmap.cells.map((c) => c.multiplier))).toBeLessThanOrEqual(3);
  });

  test("the cell's recent history shows the climb, oldest first", async () => {
    const res = await operator.fetch(`/v1/surge/history?cell=${timesSquare.cell}`);
    expect(res.status).toBe(200);
    const h = (await res.json()) as { market: string; points: Array<{ at: string; multiplier: number; supply: number }> };
    expect(h.market).toBe("nyc");
    expect(h.points.length).toBeGreaterThan(1);
    const multipliers = h.points.map((x) => x.multiplier);
    expect(Math.max(...multipliers)).toBeGreaterThanOrEqual(2);
    expect(multipliers).toEqual([...multipliers].sort((a, b) => a - b)); // demand only rose so far
    const times = h.points.map((x) => Date.parse(x.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect((await operator.fetch("/v1/surge/history?cell=nonsense")).status).toBe(400);
    expect((await operator.fetch(`/v1/surge/history?cell=${cellAt(48.8566, 2.3522).cell}`)).status).toBe(404);
  });

  test("a quote from there charges the multiplier shown, and verifies", async () => {
    const market = demoMarket("nyc-manhattan") as {
      products: Array<{ id: string }>;
      trip: { detourFactor: number; speedKmh: number };
    };
    const res = await rider.json<Quote>("/v1/quotes", { pickup: timesSquare, dropoff: wallStreet, product: "standard" });
    expect(res.status).toBe(201);
    const q = res.body;
    expect(q.multiplier).toBeGreaterThan(1);
    expect(q.explanation.shown).toBe(q.multiplier);
    const trip = estimateTrip(timesSquare, wallStreet, market.trip);
    expect(q.distanceMeters).toBe(trip.distanceMeters);
    const product = (market.products as unknown as Parameters<typeof computeFare>[0][]).find(
      (x) => (x as { id?: string }).id === "standard",
    );
    if (!product) throw new Error("demo market lost its product");
    expect(q.total).toBe(computeFare(product, trip, Math.round(q.multiplier * 10)).total);
    expect(q.breakdown.surcharge).toBeGreaterThan(0);
    expect(q.totalFormatted).toMatch(/^\$\d+\.\d\d$/);
    expect(Date.parse(q.expiresAt) - Date.now()).toBeGreaterThan(250_000);

    const calm = await rider.json<Quote>("/v1/quotes", { pickup: batteryPark, dropoff: wallStreet, product: "standard" });
    expect(calm.body.multiplier).toBe(1);
    expect(calm.body.breakdown.surcharge).toBe(0);

    const verified = await rider.json<{ valid: boolean; total: number; multiplier: number; quoteId: string }>(
      "/v1/quotes/verify",
      {
        token: q.token,
      },
    );
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ valid: true, total: q.total, multiplier: q.multiplier, quoteId: q.quoteId });
  });

  test("an altered or foreign quote token is refused with the reason", async () => {
    const q = (await rider.json<Quote>("/v1/quotes", { pickup: timesSquare, dropoff: wallStreet, product: "standard" })).body;
    const [header, payload, signature] = q.token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const cheaper = Buffer.from(JSON.stringify({ ...claims, tot: 1 })).toString("base64url");
    const flipped = signature.slice(0, -2) + (signature.endsWith("AA") ? "BB" : "AA");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "quote+jwt" })).toString("base64url")}.${payload}.`;
    const cases: Array<[string, string]> = [
      [`${header}.${cheaper}.${signature}`, "signature"],
      [`${header}.${payload}.${flipped}`, "signature"],
      [unsigned, "foreign"],
      ["not-a-token", "malformed"],
    ];
    for (const [token, reason] of cases) {
      const res = await rider.json<{ reason: string; valid: boolean }>("/v1/quotes/verify", { token });
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.valid).toBe(false);
      expect(res.body.reason).toBe(reason);
    }
    // A token from another deployment (another key) is not ours either.
    const other = await startPlatform();
    try {
      await putMarket(other, "nyc", demoMarket("nyc-manhattan"));
      const foreign = (
        await other.as("rider").json<Quote>("/v1/quotes", { pickup: timesSquare, dropoff: wallStreet, product: "standard" })
      ).body;
      expect((await rider.json<{ reason: string }>("/v1/quotes/verify", { token: foreign.token })).body.reason).toBe("signature");
    } finally {
      await other.dispose();
    }
  });

  test("bad quote requests are 4xx problems", async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ pickup: timesSquare, dropoff: wallStreet, product: "helicopter" }, 422, "helicopter"],
      [{ pickup: { lat: 48.85, lng: 2.35 }, dropoff: wallStreet, product: "standard" }, 422, "outside every market"],
      [{ pickup: { lat: 91, lng: 0 }, dropoff: wallStreet, product: "standard" }, 422, "pickup.lat"],
      [{ pickup: timesSquare, dropoff: { lat: 34.05, lng: -118.24 }, product: "standard" }, 422, "km"],
      [{ pickup: "here", dropoff: wallStreet, product: "standard" }, 422, "pickup"],
    ];
    for (const [body, status, mention] of cases) {
      const res = await rider.json<{ detail: string }>("/v1/quotes", body);
      expect(res.status).toBe(status);
      expect(res.body.detail).toContain(mention);
    }
  });

  test("after a restart the zone resumes where it was", async () => {
    const before = await surgeAt(timesSquare);
    await p.restart();
    const after = await surgeAt(timesSquare);
    expect(after.supply).toBe(before.supply);
    expect(after.seq).toBeGreaterThanOrEqual(before.seq);
    expect(after.multiplier).toBeGreaterThan(1);
    expect(after.demand).toBeGreaterThan(0);
    const markets = (await (await rider.fetch("/v1/markets")).json()) as { markets: Array<{ id: string }> };
    expect(markets.markets.map((m) => m.id)).toEqual(["nyc"]);
  });
});
