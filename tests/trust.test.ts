import { afterAll, beforeAll, describe, expect, mock, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { cellAt, demoMarket, eventually, putMarket, sleep } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";
import { base32Decode, totpAt } from "../shared/kit/totp";
import { ACCESS, type Rule } from "../workers/api/auth/access";
import { ROLES } from "../workers/api/auth/principal";
import { LiveClient } from "./support/live-client";
import { rawRequest, rawWebSocket } from "./support/raw-http";

/**
 * The trust boundary, attacked the way it was once found open: each test is one class of attack
 * and fails on the platform as it was before (a percent-encoded path that skipped the access
 * table, a TOTP code that worked twice, a refresh token that could be replayed, a token that
 * outlived its revoked key, a socket that outlived its token, a rider watching a whole market, a
 * socket flooding its object, a delegated token escaping its key's scope, password guessing
 * without end, bad tokens never limited, anyone running the deep readiness probe).
 */

// The edge worker's module graph, in this process, to walk the routes its app registers.
mock.module("cloudflare:workers", () => ({ DurableObject: class {}, WorkerEntrypoint: class {} }));

let p: Platform;
/** Keys and people are the admin's to make, revoke and disable. */
let admin: Client;
const PASSWORD = "correct horse battery staple";
const timesSquare = cellAt(40.758, -73.9855);
const saigon = cellAt(10.7769, 106.7009);

beforeAll(async () => {
  p = await startPlatform();
  admin = p.as("admin");
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
});
afterAll(async () => {
  await p.dispose();
});

/** The outcome of a request as access control sees it: refused (and how), or served by the route's handler. */
function verdict(status: number, body: string): 401 | 403 | "no route" | "served" {
  if (status === 401 || status === 403) return status;
  if (status === 404 && body.includes("No route for")) return "no route";
  return "served";
}

const concrete = (rule: Rule) =>
  rule.path.replace("{marketId}", "nyc").replace("{keyId}", "key_nothing").replace("{userId}", "usr_nothing");

describe("authorization on the path the router routes", () => {
  test("every route the app registers is in the access table, and every rule names a registered route", async () => {
    const { default: app } = await import("../workers/api/index");
    const handlers = app.routes.filter((r) => r.method !== "ALL");
    // Anything registered for every method is middleware, on a wildcard path, never a handler.
    expect(app.routes.filter((r) => r.method === "ALL" && !r.path.endsWith("*"))).toEqual([]);
    const registered = new Set(handlers.map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`));
    const table = new Set(ACCESS.map((r) => `${r.method} ${r.path}`));
    expect([...registered].filter((r) => !table.has(r))).toEqual([]);
    expect([...table].filter((r) => !registered.has(r))).toEqual([]);
  });

  test("encoded spellings of a path are authorized exactly as the path; double slashes, trailing slashes and other cases are refused", async () => {
    const callers = {
      nobody: null,
      rider: await p.token({ subject: "variant-rider", roles: ["rider"] }),
      // A superuser on purpose: every route serves it, so every spelling of every route is checked served, not just refused.
      everyone: await p.token({ subject: "variant-superuser", roles: [...ROLES] }),
    };
    for (const rule of ACCESS.filter((r) => r.roles !== "public")) {
      const path = concrete(rule);
      const query = rule.query ? `?${rule.query}=1` : "";
      const [, first = "", ...rest] = path.split("/");
      const second = rest[0] ?? "";
      const encoded = [
        // One letter of the path percent-encoded, upper- and lower-case hex: the router decodes both.
        `/${first}/%${second.charCodeAt(0).toString(16).toUpperCase()}${second.slice(1)}/${rest.slice(1).join("/")}`,
        `/${first}/%${second.charCodeAt(0).toString(16)}${second.slice(1)}/${rest.slice(1).join("/")}`,
        `/${[...first].map((ch) => `%${ch.charCodeAt(0).toString(16)}`).join("")}/${rest.join("/")}`,
      ].map((v) => v.replace(/\/$/, ""));
      const refused = [
        `/${first}//${rest.join("/")}`,
        `/${path}`,
        `${path}/`,
        path.toUpperCase(),
        `/${first.toUpperCase()}/${rest.join("/")}`,
      ];
      for (const [who, token] of Object.entries(callers)) {
        // Sent byte for byte: fetch would tidy `//v1/...` into `/v1/...` before the platform saw it.
        const send = async (target: string) => {
          const res = await rawRequest(
            p.url,
            rule.method,
            target + query,
            { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
            rule.method === "GET" || rule.method === "DELETE"
              ? undefined
              : rule.id === "system.drain"
                ? '{"draining":false}'
                : "{}",
          );
          return verdict(res.status, res.body);
        };
        const canonical = await send(path);
        if (who === "nobody") expect({ route: rule.id, canonical }).toEqual({ route: rule.id, canonical: 401 });
        for (const variant of encoded)
          expect({ who, variant, verdict: await send(variant) }).toEqual({ who, variant, verdict: canonical });
        for (const variant of refused)
          expect({ who, variant, verdict: await send(variant) }).toEqual({ who, variant, verdict: "no route" });
      }
    }
  }, 120_000);

  test("the anonymous admin of the issue: POST /v1/%61dmin/users creates nobody", async () => {
    const res = await p.as(null).json("/v1/%61dmin/users", {
      email: "intruder@example.com",
      roles: ["admin"],
      markets: ["*"],
      password: "a password of the intruder",
    });
    expect(res.status).toBe(401);
    expect(psql(p.database.target, p.database.name, "select count(*) from users where email = 'intruder@example.com'")).toBe("0");
  });
});

/** An operator of nyc, signed up by the admin, with their authenticator. */
async function operator(email: string) {
  const created = await admin.json<{ id: string; totp: { secret: string } }>("/v1/admin/users", {
    email,
    roles: ["operator"],
    markets: ["nyc"],
    password: PASSWORD,
  });
  expect(created.status).toBe(201);
  const secret = base32Decode(created.body.totp.secret);
  const step = () => Math.floor(Date.now() / 30_000);
  return {
    id: created.body.id,
    code: (offset = 0) => totpAt(secret, step() + offset),
    signIn: (extra: Record<string, unknown>, headers: Record<string, string> = {}) =>
      fetch(`${p.url}/v1/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ grant_type: "password", email, password: PASSWORD, ...extra }),
      }).then(async (res) => ({
        status: res.status,
        headers: res.headers,
        body: (await res.json()) as { access_token: string; refresh_token: string; detail?: string },
      })),
  };
}

const refresh = (token: string) =>
  p.as(null).json<{ access_token: string; refresh_token: string; detail?: string }>("/v1/auth/token", {
    grant_type: "refresh_token",
    refresh_token: token,
  });
const markets = async (token: string) => (await p.as(token).fetch("/v1/markets")).status;

describe("sessions and keys", () => {
  test("an authenticator code works once: replayed, or raced by two sign-ins, it is refused", async () => {
    const ops = await operator("once@example.com");
    const code = await ops.code();
    expect((await ops.signIn({ totp: code })).status).toBe(200);
    const replay = await ops.signIn({ totp: code });
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toContain("used already");
    // The next step's code is valid now (clock drift): two sign-ins race with it, one wins.
    const next = await ops.code(1);
    const raced = await Promise.all([ops.signIn({ totp: next }), ops.signIn({ totp: next })]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  test("a rotated refresh token presented again revokes the whole sign-in, access tokens included", async () => {
    const ops = await operator("stolen@example.com");
    const first = await ops.signIn({ totp: await ops.code() });
    const rotated = await refresh(first.body.refresh_token);
    expect(rotated.status).toBe(200);
    expect(await markets(rotated.body.access_token)).toBe(200);

    const replay = await refresh(first.body.refresh_token);
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toContain("revoked");
    expect((await refresh(rotated.body.refresh_token)).status).toBe(401);
    expect(await markets(rotated.body.access_token)).toBe(401);
    expect(await markets(first.body.access_token)).toBe(401);
  });

  test("signing out ends the sign-in: its access token stops working at once", async () => {
    const ops = await operator("leaving@example.com");
    const session = await ops.signIn({ totp: await ops.code() });
    expect(await markets(session.body.access_token)).toBe(200);
    expect((await p.as(null).json("/v1/auth/revoke", { refresh_token: session.body.refresh_token })).status).toBe(200);
    expect(await markets(session.body.access_token)).toBe(401);
    expect((await refresh(session.body.refresh_token)).status).toBe(401);
  });

  test("revoking an API key stops its access tokens, and the tokens it delegated, at once", async () => {
    const key = await admin.json<{ id: string; key: string }>("/v1/admin/api-keys", { name: "Partner", markets: ["nyc"] });
    const service = await p
      .as(null)
      .json<{ access_token: string }>("/v1/auth/token", { grant_type: "api_key", api_key: key.body.key });
    const rider = await p
      .as(service.body.access_token)
      .json<{ access_token: string }>("/v1/auth/token", { grant_type: "delegate", subject: "rider-1", role: "rider" });
    expect(await markets(service.body.access_token)).toBe(200);
    expect(await markets(rider.body.access_token)).toBe(200);

    expect((await admin.fetch(`/v1/admin/api-keys/${key.body.id}`, { method: "DELETE" })).status).toBe(200);
    expect(await markets(service.body.access_token)).toBe(401);
    expect(await markets(rider.body.access_token)).toBe(401);
  });

  test("a disabled user's tokens stop working, and they cannot sign in again", async () => {
    const ops = await operator("disabled@example.com");
    const session = await ops.signIn({ totp: await ops.code() });
    expect(await markets(session.body.access_token)).toBe(200);
    expect((await admin.fetch(`/v1/admin/users/${ops.id}`, { method: "DELETE" })).status).toBe(200);
    expect(await markets(session.body.access_token)).toBe(401);
    expect((await refresh(session.body.refresh_token)).status).toBe(401);
    expect((await ops.signIn({ totp: await ops.code(1) })).status).toBe(401);
  });

  test("a route-scoped service key delegates only within its own routes and markets", async () => {
    const scoped = p.as("service", { subject: "scoped-partner", markets: ["nyc"], routes: ["events.demand"] });
    const rider = await scoped.json<{ access_token: string }>("/v1/auth/token", {
      grant_type: "delegate",
      subject: "rider-7",
      role: "rider",
    });
    expect(rider.status).toBe(200);
    const delegated = p.as(rider.body.access_token);
    // The key itself may not read surge or quote; neither may the riders it mints tokens for.
    expect((await delegated.fetch(`/v1/surge?lat=${timesSquare.lat}&lng=${timesSquare.lng}`)).status).toBe(403);
    const quote = { pickup: timesSquare, dropoff: { lat: 40.7069, lng: -74.0113 }, product: "standard" };
    expect((await delegated.json("/v1/quotes", quote)).status).toBe(403);
    const elsewhere = await scoped.json("/v1/auth/token", {
      grant_type: "delegate",
      subject: "r",
      role: "rider",
      markets: ["hcm"],
    });
    expect(elsewhere.status).toBe(403);
  });

  test("five wrong passwords for one account, from any addresses, and the account waits, right password or not", async () => {
    const ops = await operator("guessed@example.com");
    const bystander = await operator("bystander@example.com");
    const guesses = [];
    for (let i = 0; i < 6; i++)
      guesses.push(await ops.signIn({ password: `guess ${i}`, totp: "000000" }, { "cf-connecting-ip": `203.0.113.${i}` }));
    expect(guesses.map((g) => g.status)).toEqual([401, 401, 401, 401, 401, 429]);
    const retryAfter = Number(guesses[5]?.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect((await ops.signIn({ totp: await ops.code() })).status).toBe(429);
    // Another account is not held up by it.
    expect((await bystander.signIn({ totp: await bystander.code() })).status).toBe(200);
  });
});

describe("readiness", () => {
  test("anyone gets the cheap answer, which probes nothing; the deep probe is for operators and admins", async () => {
    const cheap = await p.as(null).fetch("/health/ready");
    expect(cheap.status).toBe(200);
    expect(Object.keys((await cheap.json()) as object).sort()).toEqual(["mode", "status"]);
    expect((await p.as(null).fetch("/health/ready?deep=1")).status).toBe(401);
    expect((await p.as("rider").fetch("/health/ready?deep=1")).status).toBe(403);
    const deep = await p.as("operator", { markets: ["nyc"] }).fetch("/health/ready?deep=1");
    expect(Object.keys(((await deep.json()) as { checks: object }).checks)).toContain("postgres");
  });
});

describe("live sockets", () => {
  const ws = (query: string, token: string) =>
    new LiveClient(`${p.url.replace("http", "ws")}/v1/live?${query}&access_token=${token}`);
  const upgrade = (query: string, token: string) =>
    p.as(token).fetch(`/v1/live?${query}`, {
      headers: {
        upgrade: "websocket",
        connection: "upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });

  test("a rider may watch cells but not a whole market, which the heatmap refuses riders too", async () => {
    const rider = await p.token({ subject: "curious-rider", roles: ["rider"] });
    expect((await p.as(rider).fetch("/v1/markets/nyc/heatmap")).status).toBe(403);
    expect((await upgrade("market=nyc", rider)).status).toBe(403);
    expect((await upgrade("market=nyc&cells=", rider)).status).toBe(400);
    const watching = ws(`cells=${timesSquare.cell}`, rider);
    await watching.next((m) => m.type === "snapshot");
    watching.close();
  });

  /** Whether the zone object calls a Subscribers hook. */
  const zoneHosts = (call: string) => readFileSync(resolve(import.meta.dir, "../durable-objects/zone.ts"), "utf8").includes(call);

  /** A socket whose frames are all seen: the close frame is the platform's decision, the TCP teardown the runtime's. */
  const rawSocket = async (query: string, token: string) => {
    const socket = await rawWebSocket(p.url, `/v1/live?${query}&access_token=${token}`);
    await eventually(async () => socket.messages.some((m) => m.includes('"snapshot"')) || undefined);
    return socket;
  };

  test("a market feed socket is closed by the platform when its token expires, with no traffic at all", async () => {
    const feed = await rawSocket(
      "market=nyc",
      await p.token({ subject: "short-console", roles: ["operator"], markets: ["nyc"], seconds: 2 }),
    );
    expect(await feed.closeFrameWithin(8_000)).toEqual({ code: 4001, reason: "token expired" });
    feed.end();
  });

  test("a zone socket whose token expired gets nothing more: it is closed, at the latest on its next message", async () => {
    const rider = await rawSocket(
      `cells=${timesSquare.cell}`,
      await p.token({ subject: "short-rider", roles: ["rider"], seconds: 2 }),
    );
    if (zoneHosts("subscribers.sweep(")) {
      // The zone's alarm closes it at the expiry, with no traffic at all.
      expect(await rider.closeFrameWithin(5_000)).toEqual({ code: 4001, reason: "token expired" });
    } else {
      await sleep(3_000);
      rider.send(JSON.stringify({ type: "subscribe", cells: [timesSquare.cell] }));
      expect(await rider.closeFrameWithin(5_000)).toEqual({ code: 4001, reason: "token expired" });
    }
    expect(rider.messages.filter((m) => m.includes('"subscribed"'))).toHaveLength(1);
    rider.end();
  });

  test("revoking an API key closes the sockets its tokens opened", async () => {
    const key = await admin.json<{ id: string; key: string }>("/v1/admin/api-keys", { name: "Dispatch", markets: ["nyc"] });
    const service = await p
      .as(null)
      .json<{ access_token: string }>("/v1/auth/token", { grant_type: "api_key", api_key: key.body.key });
    const dispatch = await rawSocket("market=nyc", service.body.access_token);
    expect((await admin.fetch(`/v1/admin/api-keys/${key.body.id}`, { method: "DELETE" })).status).toBe(200);
    expect(await dispatch.closeFrameWithin(5_000)).toEqual({ code: 4001, reason: "token revoked" });
    dispatch.end();
  });

  test.skipIf(!zoneHosts("subscribers.revoke("))("signing out closes the sign-in's sockets on a zone too", async () => {
    const ops = await operator("zone-watcher@example.com");
    const session = await ops.signIn({ totp: await ops.code() });
    const watcher = await rawSocket(`cells=${timesSquare.cell}`, session.body.access_token);
    await p.as(null).json("/v1/auth/revoke", { refresh_token: session.body.refresh_token });
    expect(await watcher.closeFrameWithin(5_000)).toEqual({ code: 4001, reason: "token revoked" });
    watcher.end();
  });

  test("subscribe messages are checked like the query: H3 cells of the market, at most 64", async () => {
    const feed = ws("market=nyc", await p.token({ subject: "checked-console", roles: ["operator"], markets: ["nyc"] }));
    await feed.next((m) => m.type === "snapshot");
    const errors = () => feed.messages.filter((m) => m.type === "error").map((m) => m.detail as string);
    feed.ws.send(JSON.stringify({ type: "subscribe", cells: [saigon.cell] }));
    feed.ws.send(JSON.stringify({ type: "subscribe", cells: ["not-a-cell"] }));
    feed.ws.send(JSON.stringify({ type: "subscribe", cells: Array.from({ length: 65 }, () => timesSquare.cell) }));
    feed.ws.send(JSON.stringify({ type: "subscribe", cells: "all" }));
    await feed.next(() => errors().length === 4);
    expect(errors()[0]).toContain("not in this market");
    expect(errors()[1]).toContain("not an H3 cell");
    expect(errors()[2]).toContain("at most 64");
    expect(errors()[3]).toContain("a list of H3 cells");
    expect(feed.messages.filter((m) => m.type === "subscribed")).toHaveLength(1);
    feed.close();
  });

  test("a socket that floods its object with messages gets an error, then is closed with 1008", async () => {
    const flooder = ws(`cells=${timesSquare.cell}`, await p.token({ subject: "flooding-rider", roles: ["rider"] }));
    await flooder.next((m) => m.type === "snapshot");
    for (let i = 0; i < 50; i++) {
      if (flooder.ws.readyState !== WebSocket.OPEN) break;
      flooder.ws.send(JSON.stringify({ type: "subscribe", cells: [timesSquare.cell] }));
    }
    const closed = await flooder.closedWithin(5_000);
    expect(closed).toMatchObject({ code: 1008 });
    expect(flooder.messages.filter((m) => m.type === "subscribed").length).toBeLessThanOrEqual(11);
    expect(flooder.messages.some((m) => m.type === "error" && String(m.detail).includes("messages per second"))).toBe(true);

    const shouter = ws(`cells=${timesSquare.cell}`, await p.token({ subject: "shouting-rider", roles: ["rider"] }));
    await shouter.next((m) => m.type === "snapshot");
    shouter.ws.send(JSON.stringify({ type: "subscribe", cells: [timesSquare.cell], padding: "x".repeat(5_000) }));
    expect(await shouter.closedWithin(5_000)).toMatchObject({ code: 1008 });
  });
});

describe("rate limits on what the platform trusts", () => {
  let limited: Platform;
  beforeAll(async () => {
    limited = await startPlatform({
      bindings: {
        RATE_LIMITS: JSON.stringify({ reads: { requests: 5, windowSeconds: 60 }, auth: { requests: 5, windowSeconds: 60 } }),
      },
    });
  });
  afterAll(async () => {
    await limited.dispose();
  });

  const statuses = async (n: number, send: (i: number) => Promise<Response>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await send(i);
      out.push(res.status);
      await res.arrayBuffer();
    }
    return out;
  };

  test("a flood of bad tokens is limited by the address the edge reports, however X-Forwarded-For varies", async () => {
    const flood = await statuses(7, (i) =>
      fetch(`${limited.url}/v1/markets`, {
        headers: {
          authorization: `Bearer not.a.token${i}`,
          "cf-connecting-ip": "198.51.100.7",
          "x-forwarded-for": `10.0.0.${i}`,
        },
      }),
    );
    expect(flood).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another address has its own budget; a valid token is limited as its principal, not by address.
    const other = await fetch(`${limited.url}/v1/markets`, {
      headers: { authorization: "Bearer x", "cf-connecting-ip": "198.51.100.8" },
    });
    expect(other.status).toBe(401);
    const rider = await limited.token({ subject: "honest-rider", roles: ["rider"] });
    const honest = await fetch(`${limited.url}/v1/markets`, {
      headers: { authorization: `Bearer ${rider}`, "cf-connecting-ip": "198.51.100.7" },
    });
    expect(honest.status).toBe(200);
  });

  test("anonymous callers cannot buy a fresh budget with X-Forwarded-For", async () => {
    const attempts = await statuses(7, (i) =>
      fetch(`${limited.url}/v1/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `10.1.0.${i}` },
        body: JSON.stringify({ grant_type: "api_key", api_key: `eqk_nothing_${i}xxxxxxxxxx` }),
      }),
    );
    expect(attempts.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(attempts.slice(5)).toEqual([429, 429]);
  });
});
