import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ApiProblem, answer, createEquilibriumClient } from "../client";
import { cellAt, demandEvents, demoMarket, eventually, supplyEvents } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { base32Decode, totpAt } from "../shared/kit/totp";
import { MarketInputSchema } from "../shared/pricing/market";

/**
 * The typed client (`client/`) against the real platform: the generated types match what the
 * platform serves, and a partner's and an operator's day go through it end to end.
 */

const ROOT = resolve(import.meta.dir, "..");
const NYC = "nyc-manhattan";
const timesSquare = cellAt(40.758, -73.9855);
const wallStreet = { lat: 40.7069, lng: -74.0113 };

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
  // The demo market, put through the client by its operator: the request body is typed by the API's document.
  const operator = createEquilibriumClient({
    baseUrl: p.url,
    token: await p.token({ subject: "client-operator", roles: ["operator"], markets: [NYC] }),
  });
  await answer(
    operator.PUT("/v1/markets/{marketId}", {
      params: { path: { marketId: NYC } },
      body: MarketInputSchema.parse(demoMarket(NYC)),
    }),
  );
});
afterAll(async () => {
  await p.dispose();
});

/** `bun scripts/openapi.ts …` in its own process (it stubs modules for the app's import). */
async function openapiScript(...args: string[]) {
  const run = Bun.spawn([process.execPath, "scripts/openapi.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ]);
  return { stdout, stderr, code };
}

describe("the typed client's types", () => {
  test("the document generated offline from the app is the one the running platform serves", async () => {
    const offline = await openapiScript("--document");
    expect(offline.code).toBe(0);
    const served = await (await fetch(`${p.url}/openapi.json`)).json();
    expect(JSON.parse(offline.stdout)).toEqual(served);
  });

  test("client/schema.d.ts is what that document generates now, and a stale copy is caught", async () => {
    const current = await openapiScript("--check");
    expect(current.stderr).toBe("");
    expect(current.code).toBe(0);

    // A route changed without regenerating: the committed types lack one of its fields.
    const dir = mkdtempSync(join(tmpdir(), "eq-schema-"));
    try {
      const stale = join(dir, "schema.d.ts");
      const committed = readFileSync(resolve(ROOT, "client/schema.d.ts"), "utf8");
      expect(committed).toContain("totalFormatted: string;");
      writeFileSync(stale, committed.replace("totalFormatted: string;", ""));
      const check = await openapiScript("--check", stale);
      expect(check.code).toBe(1);
      expect(check.stderr).toContain("npm run client:generate");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a day through the typed client", () => {
  test("an admin adds an operator; a partner reports a crowd; the operator signs in, reads the surge and quotes a trip", async () => {
    const admin = createEquilibriumClient({
      baseUrl: p.url,
      token: await p.token({ subject: "client-admin", roles: ["admin"] }),
    });
    const created = await answer(
      admin.POST("/v1/admin/users", {
        body: { email: "client-ops@example.com", roles: ["operator"], markets: [NYC], password: "correct horse battery staple" },
      }),
    );

    // A partner's back end: three drivers and forty ride requests at Times Square.
    const partner = createEquilibriumClient({
      baseUrl: p.url,
      token: await p.token({ subject: "client-partner", roles: ["service"], markets: [NYC] }),
    });
    const supply = await answer(
      partner.POST("/v1/events/supply", {
        body: { events: supplyEvents(timesSquare, 3).map((e) => ({ ...e, status: "available" as const })) },
      }),
    );
    const demand = await answer(partner.POST("/v1/events/demand", { body: { events: demandEvents(timesSquare, 40) } }));
    expect([supply.accepted, demand.accepted]).toEqual([3, 40]);

    // The operator signs in with a password and an authenticator code, and keeps the token it gets.
    const secret = created.totp?.secret ?? "";
    expect(secret).not.toBe("");
    const code = await totpAt(base32Decode(secret), Math.floor(Date.now() / 30_000));
    const anonymous = createEquilibriumClient({ baseUrl: p.url });
    const tokens = await answer(
      anonymous.POST("/v1/auth/token", {
        body: { grant_type: "password", email: "client-ops@example.com", password: "correct horse battery staple", totp: code },
      }),
    );
    expect(tokens.token_type).toBe("Bearer");
    let session: string | null = tokens.access_token;
    const operator = createEquilibriumClient({ baseUrl: p.url, token: () => session });

    const { markets } = await answer(operator.GET("/v1/markets"));
    expect(markets.map((m) => m.id)).toEqual([NYC]);

    const reading = await eventually(async () => {
      const r = await answer(operator.GET("/v1/surge", { params: { query: { lat: timesSquare.lat, lng: timesSquare.lng } } }));
      return r.multiplier > 1 ? r : undefined;
    });
    expect(reading.cell).toBe(timesSquare.cell);
    expect(reading.market).toBe(NYC);

    const quote = await answer(
      operator.POST("/v1/quotes", { body: { pickup: timesSquare, dropoff: wallStreet, product: "standard" } }),
    );
    expect(quote.market).toBe(NYC);
    expect(quote.multiplier).toBeGreaterThan(1);
    expect(quote.totalFormatted).toStartWith("$");
    const verified = await answer(operator.POST("/v1/quotes/verify", { body: { token: quote.token } }));
    expect(verified.valid).toBe(true);

    // The token is read on each call: once the session is gone, the same client is refused.
    session = null;
    const refused = await answer(operator.GET("/v1/markets/{marketId}/heatmap", { params: { path: { marketId: NYC } } })).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ApiProblem);
    expect((refused as ApiProblem).status).toBe(401);
  });

  test("bad input, an unknown market and a refused geofence come back as typed problems", async () => {
    // The operator of a market being set up, who draws it over Manhattan by mistake.
    const operator = createEquilibriumClient({
      baseUrl: p.url,
      token: await p.token({ subject: "client-new-operator", roles: ["operator"], markets: ["manhattan-again"] }),
    });
    const problem = (call: Promise<unknown>) =>
      call.then(
        () => {
          throw new Error("the call succeeded");
        },
        (e: unknown) => {
          if (!(e instanceof ApiProblem)) throw e;
          return e;
        },
      );

    // Off the map: a latitude past the pole is refused field by field.
    const invalid = await problem(answer(operator.GET("/v1/surge", { params: { query: { lat: 91, lng: 0 } } })));
    expect(invalid.status).toBe(422);
    expect(invalid.detail).toContain("lat");
    expect(invalid.errors.map((e) => e.path)).toContain("lat");

    const unknown = await problem(answer(operator.GET("/v1/markets/{marketId}", { params: { path: { marketId: "atlantis" } } })));
    expect(unknown.status).toBe(404);
    expect(unknown.detail).toContain("atlantis");
    expect(unknown.code).toBe("market-unknown");

    // A second market over Manhattan: the overlap has a machine-readable code and names the market.
    const overlap = await problem(
      answer(
        operator.PUT("/v1/markets/{marketId}", {
          params: { path: { marketId: "manhattan-again" } },
          body: MarketInputSchema.parse(demoMarket(NYC, { name: "Manhattan again" })),
        }),
      ),
    );
    expect(overlap.status).toBe(409);
    expect(overlap.code).toBe("market-overlap");
    expect(overlap.problem.market).toBe(NYC);

    // Nobody answering at all is a problem too, with status 0.
    const nowhere = createEquilibriumClient({ baseUrl: "http://127.0.0.1:9" });
    const unreachable = await problem(answer(nowhere.GET("/health/live")));
    expect(unreachable.status).toBe(0);
    expect(unreachable.detail).toStartWith("The API did not answer");
  });
});
