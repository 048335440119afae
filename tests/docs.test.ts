import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { buildDocsUi } from "../scripts/build-docs";
import { DemandEventSchema, QuoteRequestSchema, SupplyEventSchema } from "../shared/contracts/api";
import { ACCESS } from "../workers/api/auth/access";
import { routeClass } from "../workers/api/limits";
import { launchChromium, pageProblems, screenshot } from "./support/browser";

/**
 * As a partner's developer codes against the API: the OpenAPI document says how to
 * authenticate and every error an operation can answer (derived from the access table and the
 * limits, with examples the API really gives), examples that work, `/docs` is an interactive
 * reference served from the platform itself (no CDN), refusals read as sentences in the caller's
 * language, a wrong method says which ones the path takes, a browser's refused WebSocket says
 * why, and a cell nobody has priced yet was not "computed" in 1970.
 */

interface Operation {
  security?: Array<Record<string, string[]>>;
  description?: string;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, { description?: string }> } }> };
  responses: Record<
    string,
    { content?: Record<string, { examples?: Record<string, { value: { code: string; status: number } }> }> }
  >;
}
interface Document {
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<string, Record<string, Operation>>;
}

let p: Platform;
let doc: Document;
let browser: Browser;

beforeAll(async () => {
  buildDocsUi();
  p = await startPlatform();
  await putMarket(p, "nyc-manhattan", demoMarket("nyc-manhattan"));
  doc = (await (await p.fetch("/openapi.json")).json()) as Document;
});
afterAll(async () => {
  await browser?.close();
  await p?.dispose();
});

const operation = (method: string, path: string) => doc.paths[path]?.[method.toLowerCase()] as Operation;
const exampleCodes = (op: Operation, status: number) =>
  Object.values(op.responses[String(status)]?.content?.["application/problem+json"]?.examples ?? {}).map((e) => e.value.code);

describe("the OpenAPI document", () => {
  test("has a bearer scheme, and every operation the access table guards asks for it and documents 401 and 403", () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    for (const rule of ACCESS) {
      const op = operation(rule.method, rule.path);
      if (!op) continue; // the docs routes themselves are not in the document
      if (rule.roles === "public") {
        // Public: no scheme at all, or (beside a guarded variant of the same path) an optional one.
        expect({
          route: rule.id,
          optional: op.security?.length === 0 || op.security?.some((s) => Object.keys(s).length === 0),
        }).toEqual({
          route: rule.id,
          optional: true,
        });
        continue;
      }
      expect({ route: rule.id, bearer: op.security?.some((s) => "bearer" in s) }).toEqual({ route: rule.id, bearer: true });
      expect({ route: rule.id, codes: exampleCodes(op, 401) }).toEqual({
        route: rule.id,
        codes: ["token-required", "token-invalid"],
      });
      expect(exampleCodes(op, 403)).toContain("role-forbidden");
      if (rule.market) expect(exampleCodes(op, 403)).toContain("market-forbidden");
      for (const role of rule.roles) expect(op.description).toContain(role);
    }
  });

  test("documents 429 for every limited route, 413 for every body, 422 for every input, 404 for every unknown id", () => {
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        operations += 1;
        const statuses = Object.keys(op.responses).map(Number);
        const rule = ACCESS.find((r) => r.method === method.toUpperCase() && r.path === path);
        const where = `${method.toUpperCase()} ${path}`;
        if (rule && routeClass(rule.id)) expect({ where, has429: statuses.includes(429) }).toEqual({ where, has429: true });
        if (op.requestBody)
          expect({ where, has413: statuses.includes(413), has422: statuses.includes(422) }).toEqual({
            where,
            has413: true,
            has422: true,
          });
        if (path.includes("{marketId}"))
          expect({ where, has404: exampleCodes(op, 404).includes("market-unknown") }).toEqual({ where, has404: true });
        // Every problem a route documents has at least one example.
        for (const status of statuses.filter((s) => s >= 400 && s !== 426))
          expect({ where, status, examples: exampleCodes(op, status).length > 0 }).toEqual({ where, status, examples: true });
      }
    expect(operations).toBeGreaterThan(50);
  });

  test("its examples are what the API answers: 401 without a token, 403 for a role, 429's shape", async () => {
    const none = await p.as(null).fetch("/v1/markets/nyc-manhattan/kpis?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z");
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: string }).code).toBe(
      exampleCodes(operation("GET", "/v1/markets/{marketId}/kpis"), 401)[0] as string,
    );
    const rider = await p.as("rider").fetch("/v1/markets/nyc-manhattan/kpis?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z");
    expect(rider.status).toBe(403);
    expect(((await rider.json()) as { detail: string }).detail).toBe(
      "GET /v1/markets/{marketId}/kpis is for operator, admin; this token is rider.",
    );
  });

  test("examples are valid requests: the quote's example quotes, the events' examples are events", async () => {
    const quoteBody = operation("POST", "/v1/quotes").requestBody?.content["application/json"]?.schema as unknown as {
      example: unknown;
    };
    expect(QuoteRequestSchema.safeParse(quoteBody.example).success).toBe(true);
    const quoted = await p.as("rider").json<{ product: string; totalFormatted: string }>("/v1/quotes", quoteBody.example);
    expect(quoted.status).toBe(201);
    const supply = JSON.stringify(operation("POST", "/v1/events/supply").requestBody);
    const demand = JSON.stringify(operation("POST", "/v1/events/demand").requestBody);
    const exampleOf = (json: string) => JSON.parse(json.slice(json.indexOf('"example":') + 10).replace(/}.*$/, "}")) as unknown;
    expect(SupplyEventSchema.safeParse(exampleOf(supply)).success).toBe(true);
    expect(DemandEventSchema.safeParse(exampleOf(demand)).success).toBe(true);
    // `product` is not a free string to a reader: the document says where its values come from.
    expect(JSON.stringify(operation("POST", "/v1/quotes").requestBody)).toContain("GET /v1/markets/{marketId} lists them");
  });
});

describe("answers a person can act on", () => {
  const problem = async (path: string, init?: RequestInit) => {
    const res = await p.as("rider").fetch(path, init);
    return {
      status: res.status,
      allow: res.headers.get("allow"),
      ...((await res.json()) as { code: string; detail: string; errors?: Array<{ path: string; message: string }> }),
    };
  };

  test("a wrong method is 405 with Allow, not 404", async () => {
    const wrong = await problem("/v1/quotes", { method: "GET" });
    expect([wrong.status, wrong.allow, wrong.code]).toEqual([405, "POST", "method-not-allowed"]);
    expect(wrong.detail).toBe("/v1/quotes takes POST, not GET.");
    const markets = await problem("/v1/markets", { method: "DELETE" });
    expect([markets.status, markets.allow]).toEqual([405, "GET, HEAD"]);
    expect((await problem("/v1/nothing-here")).status).toBe(404);
  });

  test("validation says what a field must be, in the caller's language, never the validator's words", async () => {
    const nan = await problem("/v1/surge?lat=abc&lng=-73.98");
    expect([nan.status, nan.detail]).toEqual([422, "Invalid query: lat: must be a number"]);
    const missing = await problem("/v1/surge?lat=40.75");
    expect(missing.errors).toEqual([{ path: "lng", message: "is required" }]);
    const spanish = await problem("/v1/surge?lat=abc&lng=200&locale=es");
    expect(spanish.errors).toEqual([
      { path: "lat", message: "debe ser un número" },
      { path: "lng", message: "debe ser como máximo 180" },
    ]);
    const quote = await p
      .as("rider")
      .json<{ errors: Array<{ path: string; message: string }> }>("/v1/quotes", { pickup: { lat: 40.75 }, product: 7 });
    expect(quote.body.errors).toEqual([
      { path: "pickup.lng", message: "is required" },
      { path: "dropoff", message: "is required" },
      { path: "product", message: "must be text" },
    ]);
    const late = await p.as("service").json<{ rejections: Array<{ reason: string }> }>("/v1/events/demand", {
      events: [{ eventId: "e1", lat: 40.758, lng: -73.9855, kind: "request", at: "2026-12-01 08:00" }],
    });
    expect(late.body.rejections[0]?.reason).toContain("at: must be a date and time in ISO 8601 with its offset");
    for (const text of [nan.detail, JSON.stringify(missing), JSON.stringify(quote.body), JSON.stringify(late.body)])
      expect(text).not.toMatch(/expected \w+, received|Invalid ISO datetime|received undefined/);
  });

  test("a cell events reached but no tick priced yet is as of now, not 1970", async () => {
    const before = Date.now();
    await p.as("service").json("/v1/events/supply", {
      events: [
        {
          eventId: "fresh-1",
          driverId: "d-fresh",
          lat: 40.7484,
          lng: -73.9857,
          status: "available",
          at: new Date().toISOString(),
        },
      ],
    });
    const reading = (await (await p.as("rider").fetch("/v1/surge?lat=40.7484&lng=-73.9857")).json()) as { computedAt: string };
    expect(Date.parse(reading.computedAt)).toBeGreaterThanOrEqual(before - 60_000);
  });
});

describe("/docs, in a browser", () => {
  let page: Page;
  let problems: string[];

  test("is an interactive reference served by the platform itself: authorize, try a call, read the answer", async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = pageProblems(page);
    const elsewhere: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(p.url) && !r.url().startsWith("data:")) elsewhere.push(r.url());
    });
    await page.goto(`${p.url}/docs`);
    await page.getByText("/v1/quotes/verify").first().waitFor();
    await page.locator("button.authorize").first().click();
    await page
      .locator(".modal-ux input")
      .first()
      .fill(await p.token({ roles: ["operator"], markets: ["nyc-manhattan"] }));
    await page.locator(".modal-ux button.authorize").first().click();
    await page.locator(".modal-ux button.btn-done, .modal-ux .close-modal").first().click();
    const list = page.locator("#operations-markets-get_v1_markets");
    await list.locator(".opblock-summary").click();
    await list.getByRole("button", { name: "Try it out" }).click();
    await list.getByRole("button", { name: "Execute" }).click();
    const status = list.locator(".live-responses-table .response .response-col_status").first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe("200");
    expect(await list.locator(".live-responses-table").textContent()).toContain("nyc-manhattan");
    await status.scrollIntoViewIfNeeded();
    await screenshot(page, "docs", { fullPage: false });
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  test("a browser's refused WebSocket is told why in its close frame", async () => {
    const rider = await p.token({ roles: ["rider"] });
    const closed = await page.evaluate(
      (url) =>
        new Promise<{ code: number; reason: string; message: string }>((resolve) => {
          const socket = new WebSocket(url);
          let message = "";
          socket.onmessage = (e) => {
            message = String(e.data);
          };
          socket.onclose = (e) => resolve({ code: e.code, reason: e.reason, message });
        }),
      `${p.url.replace("http", "ws")}/v1/live?market=nyc-manhattan&access_token=${rider}`,
    );
    expect(closed.code).toBe(4403);
    expect(closed.reason).toBe("GET /v1/live is for driver, operator, admin, service; this token is rider.");
    expect(JSON.parse(closed.message)).toMatchObject({ type: "error", status: 403, code: "role-forbidden" });
  });
});
