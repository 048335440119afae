import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellAt, demandEvents, demoMarket, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { ACCESS } from "../workers/api/auth/access";
import { ROLES, type Role } from "../workers/api/auth/principal";

/**
 * The access table, checked exhaustively: every route × every role (and no token) gets exactly
 * what the table says — 401 without a token, 403 for a role it does not list, anything else
 * (the handler's own answer) for a role it lists. Authorization runs before validation, so an
 * empty body is enough to tell them apart.
 */

let p: Platform;
const tokens = new Map<Role, string>();

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
  for (const role of ROLES) tokens.set(role, await p.token({ subject: `rbac-${role}`, roles: [role], markets: ["*"] }));
});
afterAll(async () => {
  await p.dispose();
});

/** An empty body is invalid for most routes; for the drain it would stop ingest for the tests after it. */
const HARMLESS_BODY: Record<string, string> = { "system.drain": '{"draining":false}' };

/** A request the rule covers: its path made concrete, with the query parameter that selects it. */
const concrete = (rule: (typeof ACCESS)[number]) =>
  rule.path.replace("{marketId}", "nyc").replace("{keyId}", "key_nothing").replace("{userId}", "usr_nothing") +
  (rule.query ? `?${rule.query}=1` : "");

describe("who may do what", () => {
  test("every route the API documents is in the access table, and nothing in the table is undocumented", async () => {
    const doc = (await (await p.fetch("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const table = ACCESS.map((r) => `${r.method} ${r.path}`);
    for (const route of documented) expect(table).toContain(route);
    const undocumented = ACCESS.filter((r) => r.roles !== "public" && !documented.includes(`${r.method} ${r.path}`));
    expect(undocumented.map((r) => r.id)).toEqual([]);
  });

  for (const rule of ACCESS.filter((r) => r.roles !== "public")) {
    test(`${rule.method} ${concrete(rule)}: ${(rule.roles as Role[]).join(", ")}`, async () => {
      const path = concrete(rule);
      const send = (token: string | null) =>
        p.as(token).fetch(path, {
          method: rule.method,
          headers: { "content-type": "application/json" },
          body: rule.method === "GET" || rule.method === "DELETE" ? undefined : (HARMLESS_BODY[rule.id] ?? "{}"),
        });
      const anonymous = await send(null);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("content-type")).toContain("application/problem+json");
      for (const role of ROLES) {
        const res = await send(tokens.get(role) as string);
        const allowed = (rule.roles as Role[]).includes(role);
        const verdict = res.status === 401 || res.status === 403 ? res.status : "served";
        expect({ role, verdict }).toEqual({ role, verdict: allowed ? "served" : 403 });
        expect({ role, status: res.status < 500 }).toEqual({ role, status: true });
        await res.arrayBuffer();
      }
    });
  }

  test("public routes answer without a token", async () => {
    for (const rule of ACCESS.filter((r) => r.roles === "public" && r.method === "GET")) {
      expect((await p.as(null).fetch(rule.path)).status).toBe(200);
    }
  });
});

describe("markets and route scopes", () => {
  test("an operator of one market cannot touch another", async () => {
    const hcmOperator = p.as("operator", { subject: "op-hcm", markets: ["hcm"] });
    expect((await hcmOperator.json("/v1/markets/nyc", demoMarket("nyc-manhattan"), "PUT")).status).toBe(403);
    expect((await hcmOperator.json("/v1/markets/hcm", demoMarket("hcmc-central"), "PUT")).status).toBe(200);
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date().toISOString()}`;
    expect((await hcmOperator.fetch(`/v1/markets/nyc/kpis?${range}`)).status).toBe(403);
    expect((await hcmOperator.fetch(`/v1/markets/hcm/kpis?${range}`)).status).toBe(200);
    const report = {
      market: "nyc",
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date().toISOString(),
      metrics: ["quotes"],
    };
    expect((await hcmOperator.json("/v1/analytics/reports", report)).status).toBe(403);
  });

  test("a service key scoped to one market and one route can do only that", async () => {
    const scoped = p.as("service", { subject: "partner", markets: ["hcm"], routes: ["events.demand"] });
    const inNyc = await scoped.json<{ rejections: Array<{ reason: string }> }>("/v1/events/demand", {
      events: demandEvents(cellAt(40.758, -73.9855), 2),
    });
    expect(inNyc.status).toBe(422);
    expect(inNyc.body.rejections[0]?.reason).toContain("may not write");
    const inHcm = await scoped.json<{ accepted: number }>("/v1/events/demand", {
      events: demandEvents({ lat: 10.7769, lng: 106.7009 }, 2),
    });
    expect(inHcm.status).toBe(202);
    expect(inHcm.body.accepted).toBe(2);
    expect((await scoped.fetch("/v1/surge?lat=10.7769&lng=106.7009")).status).toBe(403);
  });
});
