import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { demoMarket, eventually, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";

/**
 * The audit log: an admin and an operator go about their day — a partner key made and revoked, a
 * colleague added and disabled, a market edited, an emergency declared and lifted — and the admin
 * reads back who did what, to which, in which market, and when. Nobody else may read it.
 */

let p: Platform;
let admin: Client;
let operator: Client;

interface Entry {
  actor: string;
  roles: string[];
  action: string;
  target: string;
  market: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  admin = p.as("admin", { subject: "ada-admin" });
  operator = p.as("operator", { subject: "otto-operator", markets: ["nyc"] });
});
afterAll(async () => {
  await p.dispose();
});

async function entries(query = ""): Promise<Entry[]> {
  const res = await admin.fetch(`/v1/admin/audit${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: Entry[] }).entries;
}

describe("the audit log", () => {
  test("records each operator's and admin's change with who, what, where and the request", async () => {
    const key = await admin.json<{ id: string }>("/v1/admin/api-keys", { name: "partner", markets: ["nyc"] });
    expect(key.status).toBe(201);
    expect((await admin.fetch(`/v1/admin/api-keys/${key.body.id}`, { method: "DELETE" })).status).toBe(200);
    // A second revocation changes nothing, and so is not audited.
    expect((await admin.fetch(`/v1/admin/api-keys/${key.body.id}`, { method: "DELETE" })).status).toBe(404);
    const user = await admin.json<{ id: string }>("/v1/admin/users", {
      email: "colleague@example.com",
      roles: ["operator"],
      markets: ["nyc"],
      password: "a long enough passphrase",
    });
    expect(user.status).toBe(201);
    expect((await admin.fetch(`/v1/admin/users/${user.body.id}`, { method: "DELETE" })).status).toBe(200);
    const edited = await operator.json("/v1/markets/nyc", { ...demoMarket("nyc-manhattan"), name: "Manhattan, edited" }, "PUT");
    expect(edited.status).toBe(200);
    const declared = await operator.json<{ id: string }>("/v1/system/overrides", {
      market: "nyc",
      cap: 1.5,
      minutes: 5,
      reason: "audit story",
    });
    expect(declared.status).toBe(201);
    expect((await operator.fetch(`/v1/system/overrides/${declared.body.id}`, { method: "DELETE" })).status).toBe(200);

    // Overrides reach the log through the system-mode object's outbox: give them a moment.
    const log = await eventually(
      async () => {
        const all = await entries();
        return all.some((e) => e.action === "override.lift") ? all : undefined;
      },
      15_000,
      200,
    );
    const story = log.map((e) => `${e.actor} ${e.action} ${e.target}`).reverse();
    expect(story).toEqual([
      "test-operator market.put nyc", // the market's creation, before the day began
      `ada-admin api-key.create ${key.body.id}`,
      `ada-admin api-key.revoke ${key.body.id}`,
      `ada-admin user.create ${user.body.id}`,
      `ada-admin user.disable ${user.body.id}`,
      "otto-operator market.put nyc",
      `otto-operator override.declare ${declared.body.id}`,
      `otto-operator override.lift ${declared.body.id}`,
    ]);
    const edit = log.find((e) => e.action === "market.put");
    expect(edit).toMatchObject({ market: "nyc", roles: ["operator"] });
    expect(edit?.requestId).toBeTruthy();
    expect(JSON.stringify(log)).not.toContain("a long enough passphrase");

    const mine = await entries("?actor=otto-operator&market=nyc");
    expect(mine.map((e) => e.action).sort()).toEqual(["market.put", "override.declare", "override.lift"]);
  });

  test("is for admins only", async () => {
    expect((await operator.fetch("/v1/admin/audit")).status).toBe(403);
    expect((await p.as(null).fetch("/v1/admin/audit")).status).toBe(401);
  });
});
