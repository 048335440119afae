import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellAt, demoMarket, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";

/** The API's own limits, end to end: the real middleware, the real Redis behind the Upstash bridge. */

let p: Platform;
beforeAll(async () => {
  p = await startPlatform({
    bindings: {
      RATE_LIMITS: JSON.stringify({ quotes: { requests: 5, windowSeconds: 60 }, reads: { requests: 100, windowSeconds: 60 } }),
    },
  });
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
});
afterAll(async () => {
  await p.dispose();
});

describe("rate limits", () => {
  test("a burst of quotes from one rider gets 429s with Retry-After and RateLimit headers; another rider is unaffected", async () => {
    const rider = p.as("rider", { subject: "burst-rider" });
    const body = { pickup: cellAt(40.758, -73.9855), dropoff: { lat: 40.7069, lng: -74.0113 }, product: "standard" };
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await rider.json<{ detail?: string }>("/v1/quotes", body));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    const first = answers[0];
    const refused = answers[5];
    if (!first || !refused) throw new Error("missing answers");
    expect(first.headers.get("ratelimit-limit")).toBe("5");
    expect(first.headers.get("ratelimit-remaining")).toBe("4");
    expect(first.headers.get("x-ratelimit-source")).toBe("redis");
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    const retry = Number(refused.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");

    const other = p.as("rider", { subject: "calm-rider" });
    expect((await other.json("/v1/quotes", body)).status).toBe(201);
    // Other route classes have their own budget.
    expect((await rider.fetch("/v1/surge?lat=40.758&lng=-73.9855")).status).toBe(200);
  });

  test("far from the limit, requests are admitted ahead of Redis, and still exactly the limit gets through", async () => {
    const reader = p.as("rider", { subject: "busy-reader" });
    const statuses: number[] = [];
    for (let i = 0; i < 130; i++) statuses.push((await reader.fetch("/v1/surge?lat=40.758&lng=-73.9855")).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.slice(100).every((s) => s === 429)).toBe(true);
  });
});
