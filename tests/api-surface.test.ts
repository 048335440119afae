import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";

let p: Platform;
let rider: Client;
let operator: Client;
beforeAll(async () => {
  p = await startPlatform();
  rider = p.as("rider");
  operator = p.as("operator", { markets: ["nyc"] });
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
});
afterAll(async () => {
  await p.dispose();
});

describe("the API surface", () => {
  test("/openapi.json documents every public route from the same schemas", async () => {
    const res = await p.fetch("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(doc.openapi).toStartWith("3.1");
    for (const [path, method] of [
      ["/v1/markets/{marketId}", "put"],
      ["/v1/markets", "get"],
      ["/v1/markets/{marketId}/heatmap", "get"],
      ["/v1/events/supply", "post"],
      ["/v1/events/demand", "post"],
      ["/v1/surge", "get"],
      ["/v1/quotes", "post"],
      ["/v1/quotes/verify", "post"],
      ["/v1/live", "get"],
      ["/health/ready", "get"],
    ] as const) {
      expect(doc.paths[path]?.[method]).toBeDefined();
    }
    const supplyBody = JSON.stringify(doc.paths["/v1/events/supply"]?.post?.requestBody);
    expect(supplyBody).toContain("driverId");
    expect(supplyBody).toContain("offline");
    const docs = await p.fetch("/docs");
    expect(docs.headers.get("content-type")).toContain("text/html");
  });

  test("health: live answers, ready (deep, for operators) checks the directory and the signing key", async () => {
    expect(await (await p.fetch("/health/live")).json()).toEqual({ status: "ok" });
    const ready = (await (await operator.fetch("/health/ready?deep=1")).json()) as {
      status: string;
      checks: Record<string, { status: string }>;
    };
    expect(ready.status).toBe("ready");
    expect(ready.checks.directory?.status).toBe("ok");
    expect(ready.checks.quoteSigning?.status).toBe("ok");
  });

  test("secure headers on every answer; CORS only for allowed origins", async () => {
    const res = await rider.fetch("/v1/markets", { headers: { origin: "https://evil.example" } });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("every response carries a request id; unknown routes are problems", async () => {
    const res = await p.fetch("/v2/nothing");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = (await res.json()) as { requestId: string; status: number };
    expect(res.headers.get("x-request-id")).toBe(body.requestId);
    expect(body.status).toBe(404);
  });

  test("a request's log line: every refusal and every request off the hot routes; a hot route's fast success, none", async () => {
    const pickup = { lat: 40.758, lng: -73.9855 };
    const quote = (body: unknown) => rider.json("/v1/quotes", body);
    const answered = [
      { res: await quote({ pickup, dropoff: { lat: 40.7484, lng: -73.9857 }, product: "standard" }), logged: false },
      { res: await quote({ pickup, dropoff: pickup, product: "no-such-product" }), logged: true },
      { res: await p.fetch("/health/live"), logged: false },
      { res: await operator.fetch("/v1/markets/nyc"), logged: true },
      { res: await p.fetch("/v2/nothing"), logged: true },
    ].map(({ res, logged }) => ({ status: res.status, id: res.headers.get("x-request-id") as string, logged }));
    expect(answered.map(({ status }) => status)).toEqual([201, 422, 200, 200, 404]);
    // Lines reach the test's log collector a moment after the answers.
    await Bun.sleep(500);
    for (const { status, id, logged } of answered) {
      const lines = p.logs.filter((l) => l.includes(`\\"requestId\\":\\"${id}\\"`) && l.includes('\\"status\\"'));
      expect({ status, lines: lines.length }).toEqual({ status, lines: logged ? 1 : 0 });
    }
  });

  test("the JWKS publishes the access-token and quote keys, without their private parts", async () => {
    const jwks = (await (await p.as(null).fetch("/.well-known/jwks.json")).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).toHaveLength(2);
    expect(new Set(jwks.keys.map((k) => k.kid)).size).toBe(2);
    expect(jwks.keys.map((k) => k.kid?.split("-")[0]).sort()).toEqual(["auth", "quote"]);
    for (const k of jwks.keys) {
      expect(k.kty).toBe("EC");
      expect(k.d).toBeUndefined();
    }
  });

  test("no input produces a 5xx, and every refusal is a problem", async () => {
    // Each route called by a role it serves, so that the input reaches its validation.
    const routes: Array<[string, string, Client]> = [
      ["PUT", "/v1/markets/fuzz", p.as("operator", { markets: ["fuzz"] })],
      ["POST", "/v1/events/supply", p.as("service")],
      ["POST", "/v1/events/demand", p.as("service")],
      ["POST", "/v1/quotes", rider],
      ["POST", "/v1/quotes/verify", rider],
    ];
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.record({ events: fc.array(fc.anything(), { maxLength: 5 }) }),
      fc.record({ pickup: fc.anything(), dropoff: fc.anything(), product: fc.anything() }),
      fc.record({ token: fc.string() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, fc.boolean(), async ([method, path, caller], payload, asJson) => {
        const res = await caller.fetch(path, {
          method,
          headers: asJson ? { "content-type": "application/json" } : { "content-type": "text/plain" },
          body: typeof payload === "string" ? payload : JSON.stringify(payload),
        });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers.get("content-type")).toContain("application/problem+json");
        await res.arrayBuffer();
      }),
      { numRuns: 150 },
    );
    const queries = fc.record({
      lat: fc.oneof(fc.string(), fc.double().map(String)),
      lng: fc.oneof(fc.string(), fc.double().map(String)),
    });
    await fc.assert(
      fc.asyncProperty(queries, async (q) => {
        const res = await rider.fetch(`/v1/surge?lat=${encodeURIComponent(q.lat)}&lng=${encodeURIComponent(q.lng)}`);
        expect(res.status).toBeLessThan(500);
        await res.arrayBuffer();
      }),
      { numRuns: 100 },
    );
    // Nothing above created a market.
    expect((await rider.fetch("/v1/markets/fuzz")).status).toBe(404);
  });

  test("a JSON body that does not parse is a 400 malformed-json problem with the parser's reason, in the caller's language", async () => {
    // Routes whose body a schema validates (quotes, markets) and one that parses its own (ingest).
    const routes: Array<[string, string, Client]> = [
      ["POST", "/v1/quotes", rider],
      ["POST", "/v1/quotes/verify", rider],
      ["PUT", "/v1/markets/malformed", p.as("operator", { markets: ["malformed"] })],
      ["POST", "/v1/events/demand", p.as("service")],
    ];
    for (const [method, path, caller] of routes)
      for (const [body, language] of [
        ["{", "en"],
        ['{"pickup": ', "vi"],
        ["", "en"],
      ] as const) {
        const res = await caller.fetch(path, {
          method,
          headers: { "content-type": "application/json", "accept-language": language },
          body,
        });
        const problem = (await res.json()) as { code: string; detail: string; status: number };
        expect([path, res.status, problem.code]).toEqual([path, 400, "malformed-json"]);
        expect(res.headers.get("content-type")).toContain("application/problem+json");
        expect(res.headers.get("content-language")).toBe(language);
        expect(problem.detail).toMatch(/JSON/);
      }
    expect((await rider.fetch("/v1/markets/malformed")).status).toBe(404);
  });
});
