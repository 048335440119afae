import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { Hono } from "hono";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { type Bridges, startBridges } from "../bridges/index";
import { RespConnection } from "../bridges/redis-resp";
import { SlidingWindow, type WindowLimit } from "../shared/kit/rate-window";
import { renderProblem } from "../workers/api/problem";
import {
  ipIdentity,
  type RateLimitBindings,
  type RateLimitOptions,
  type RateLimitRule,
  type RedisFailure,
  type RouteClass,
  rateLimit,
} from "../workers/api/rate-limit";
import { type RedisServer, startRedisServer } from "./support/redis";

/**
 * Rate limiting of the edge API. The pure fallback window is checked by properties; the
 * middleware runs in a small Hono app whose limiter is the real one: `@upstash/redis` →
 * the project's Upstash REST bridge → a redis-server of this test's own, which the test stops
 * and starts again to see the fallback take over and hand back.
 */

// ---------------------------------------------------------------------------------------------
// The pure window
// ---------------------------------------------------------------------------------------------

/** Requests as (key, time step) pairs; times only move forward, as Date.now does in practice. */
const requests = fc.array(fc.record({ key: fc.constantFrom("a", "b", "c"), step: fc.integer({ min: 0, max: 400 }) }), {
  maxLength: 300,
});
const limits = fc.record({ requests: fc.integer({ min: 1, max: 8 }), windowMs: fc.integer({ min: 1, max: 2_000 }) });

describe("SlidingWindow: the per-isolate fallback", () => {
  test("never admits more than the limit within any span of the window", () => {
    fc.assert(
      fc.property(
        requests,
        limits,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 10_000 }),
        (reqs, limit, resolution, start) => {
          const window = new SlidingWindow({ maxKeys: 100, resolution });
          const admitted = new Map<string, number[]>();
          let now = start;
          for (const { key, step } of reqs) {
            now += step;
            if (window.hit(key, limit, now).allowed) admitted.set(key, [...(admitted.get(key) ?? []), now]);
          }
          for (const times of admitted.values()) {
            // The densest span of windowMs ends at an admitted request: count back from each one.
            for (const end of times) {
              expect(times.filter((t) => t > end - limit.windowMs && t <= end).length).toBeLessThanOrEqual(limit.requests);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a refusal's resetMs is exact: refused one millisecond before it, admitted at it", () => {
    fc.assert(
      fc.property(requests, limits, (reqs, limit) => {
        const window = new SlidingWindow({ maxKeys: 100 });
        let now = 1_000_000;
        for (const { step } of reqs) {
          now += step;
          window.hit("k", limit, now);
        }
        // Fill the window so that the next request is refused.
        for (let i = 0; i < limit.requests; i++) window.hit("k", limit, now);
        const refused = window.hit("k", limit, now);
        expect(refused.allowed).toBe(false);
        expect(refused.remaining).toBe(0);
        expect(refused.resetMs).toBeGreaterThan(0);
        expect(refused.resetMs).toBeLessThanOrEqual(limit.windowMs + Math.ceil(limit.windowMs / 10));
        if (refused.resetMs > 1) expect(window.hit("k", limit, now + refused.resetMs - 1).allowed).toBe(false);
        expect(window.hit("k", limit, now + refused.resetMs).allowed).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test("never refuses wholesale: a fresh key's burst gets exactly its limit, whatever other keys did", () => {
    fc.assert(
      fc.property(requests, limits, fc.integer({ min: 1, max: 20 }), (reqs, limit, burst) => {
        const window = new SlidingWindow({ maxKeys: 100 });
        let now = 0;
        for (const { key, step } of reqs) {
          now += step;
          window.hit(key, limit, now);
        }
        const answers = Array.from({ length: burst }, () => window.hit("fresh", limit, now));
        expect(answers.filter((a) => a.allowed).length).toBe(Math.min(burst, limit.requests));
        expect(answers.map((a) => a.remaining).slice(0, limit.requests)).toEqual(
          Array.from({ length: Math.min(burst, limit.requests) }, (_, i) => limit.requests - 1 - i),
        );
      }),
    );
  });

  test("peek() says what hit() would answer, and counts nothing", () => {
    fc.assert(
      fc.property(requests, limits, (reqs, limit) => {
        const peeked = new SlidingWindow({ maxKeys: 100 });
        const plain = new SlidingWindow({ maxKeys: 100 });
        let now = 0;
        for (const { key, step } of reqs) {
          now += step;
          const seen = peeked.peek(key, limit, now);
          const hit = peeked.hit(key, limit, now);
          expect(hit).toEqual(plain.hit(key, limit, now));
          expect(seen.allowed).toBe(hit.allowed);
          if (hit.allowed) expect(seen.remaining).toBe(hit.remaining + 1);
        }
      }),
      { numRuns: 200 },
    );
  });

  test("record() counts requests another authority admitted", () => {
    const window = new SlidingWindow({ maxKeys: 10 });
    const limit: WindowLimit = { requests: 3, windowMs: 60_000 };
    window.record("k", limit, 0);
    window.record("k", limit, 1);
    expect(window.hit("k", limit, 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(window.hit("k", limit, 3).allowed).toBe(false);
  });

  test("memory is bounded: at most maxKeys keys and resolution + 1 buckets each", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 500 }), step: fc.integer({ min: 0, max: 50 }) }), {
          maxLength: 2_000,
        }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 12 }),
        (reqs, maxKeys, resolution) => {
          const window = new SlidingWindow({ maxKeys, resolution });
          const limit: WindowLimit = { requests: 1_000, windowMs: 5_000 };
          let now = 0;
          for (const { key, step } of reqs) {
            now += step;
            window.hit(`ip:${key}`, limit, now);
            const stats = window.stats();
            expect(stats.keys).toBeLessThanOrEqual(maxKeys);
            expect(stats.buckets).toBeLessThanOrEqual(stats.keys * (resolution + 1));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  test("refuses limits it cannot enforce", () => {
    expect(() => new SlidingWindow({ maxKeys: 0 })).toThrow(RangeError);
    const window = new SlidingWindow({ maxKeys: 1 });
    expect(() => window.hit("k", { requests: 0, windowMs: 1 }, 0)).toThrow(RangeError);
    expect(() => window.hit("k", { requests: 1, windowMs: 0 }, 0)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// The middleware, in a small app
// ---------------------------------------------------------------------------------------------

type TestEnv = { Bindings: RateLimitBindings; Variables: { requestId: string } };

const HOUR = 3_600;
/** An hour-long window: a burst never straddles two of Redis's fixed windows (see awayFromBoundary). */
const LIMITS: Record<RouteClass, RateLimitRule> = {
  ingest: { requests: 5, windowSeconds: HOUR },
  quotes: { requests: 3, windowSeconds: HOUR },
  reads: { requests: 1_000, windowSeconds: HOUR },
  auth: { requests: 2, windowSeconds: HOUR },
};

const ROUTES: Record<RouteClass, { method: string; path: string }> = {
  ingest: { method: "POST", path: "/v1/events/supply" },
  quotes: { method: "POST", path: "/v1/quotes" },
  reads: { method: "GET", path: "/v1/surge" },
  auth: { method: "POST", path: "/v1/auth/token" },
};

/** One "isolate": an app with its own limiter (own Redis client, fallback windows and backoff). */
function isolate(overrides: Partial<RateLimitOptions<TestEnv>> = {}) {
  const failures: RedisFailure[] = [];
  const app = new Hono<TestEnv>();
  app.use("*", async function requestId(c, next) {
    c.set("requestId", crypto.randomUUID());
    await next();
  });
  app.use(
    "*",
    rateLimit<TestEnv>({
      classify: (c) => {
        const path = c.req.path;
        if (path === "/health") return null;
        if (path.startsWith("/v1/events/")) return "ingest";
        if (path.startsWith("/v1/quotes")) return "quotes";
        if (path.startsWith("/v1/auth/")) return "auth";
        return "reads";
      },
      identify: (c) => {
        const key = c.req.header("x-api-key");
        return key ? `key:${key}` : ipIdentity(c);
      },
      limits: LIMITS,
      timeoutMs: 300,
      backoff: { initialMs: 100, maxMs: 400 },
      onRedisFailure: (failure) => failures.push(failure),
      ...overrides,
    }),
  );
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.post("/v1/events/supply", (c) => c.json({ accepted: 1 }, 202));
  app.post("/v1/quotes", (c) => c.json({ quote: "signed" }, 201));
  app.get("/v1/surge", (c) => c.json({ surge: 1.2 }));
  app.post("/v1/auth/token", (c) => c.json({ token: "t" }));
  app.onError(renderProblem);

  const call = async (env: RateLimitBindings, routeClass: RouteClass | "health", caller: string) => {
    const route = routeClass === "health" ? { method: "GET", path: "/health" } : ROUTES[routeClass];
    const headers: Record<string, string> = caller.startsWith("ip:")
      ? { "cf-connecting-ip": caller.slice(3) }
      : { "x-api-key": caller.replace(/^key:/, "") };
    const res = await app.fetch(new Request(`http://edge.test${route.path}`, { method: route.method, headers }), env);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  return { app, failures, call };
}

type Answer = Awaited<ReturnType<ReturnType<typeof isolate>["call"]>>;

const RUN = `${process.pid}-${randomBytes(3).toString("hex")}`;
let redis: RedisServer;
let bridges: Bridges;

beforeAll(async () => {
  redis = await startRedisServer();
  bridges = await startBridges({ redis: { host: redis.host, port: redis.port } });
});

afterAll(async () => {
  await bridges?.stop();
  await redis?.dispose();
});

/** Bindings under a key prefix of their own, so that each test starts from empty windows. */
function bindings(name: string): RateLimitBindings {
  return {
    UPSTASH_REDIS_REST_URL: bridges.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: bridges.upstashToken,
    RATE_LIMIT_PREFIX: `rate-limit-test:${RUN}:${name}`,
  };
}

/**
 * Redis's sliding window weighs the previous fixed window: a burst that straddles a boundary
 * may be admitted a little beyond the limit. Waits (a bounded while) until the burst fits.
 */
async function awayFromBoundary(windowSeconds: number, needMs: number): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const into = Date.now() % windowMs;
  if (into < 50) await Bun.sleep(50 - into);
  else if (windowMs - into < needMs) await Bun.sleep(windowMs - into + 50);
}

/** Polls `check` until it returns true, at most `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await Bun.sleep(50);
  }
}

/** What really is in redis-server, over a connection of its own (the server restarts between tests). */
async function redisKeys(pattern: string): Promise<Map<string, string>> {
  const direct = await RespConnection.open(redis.host, redis.port);
  try {
    const [keys] = await direct.send([["KEYS", pattern]]);
    const out = new Map<string, string>();
    for (const key of (keys as Buffer[]) ?? []) {
      const [value] = await direct.send([["GET", key]]);
      out.set(key.toString(), String(value));
    }
    return out;
  } finally {
    direct.close();
  }
}

function expectLimitHeaders(answer: Answer, rule: RateLimitRule, source: "redis" | "fallback"): void {
  expect(answer.headers.get("ratelimit-limit")).toBe(String(rule.requests));
  expect(answer.headers.get("ratelimit-policy")).toBe(`${rule.requests};w=${rule.windowSeconds}`);
  expect(answer.headers.get("x-ratelimit-source")).toBe(source);
  const reset = Number(answer.headers.get("ratelimit-reset"));
  expect(Number.isInteger(reset)).toBe(true);
  expect(reset).toBeGreaterThanOrEqual(0);
  expect(reset).toBeLessThanOrEqual(Math.ceil(rule.windowSeconds * 1.1));
}

function expectRefusal(answer: Answer, rule: RateLimitRule, source: "redis" | "fallback", routeClass: RouteClass): number {
  expect(answer.status).toBe(429);
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  expect(answer.body).toMatchObject({ status: 429, title: "Too many requests", routeClass, limit: rule.requests });
  expectLimitHeaders(answer, rule, source);
  expect(answer.headers.get("ratelimit-remaining")).toBe("0");
  const retryAfter = Number(answer.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(answer.headers.get("ratelimit-reset")).toBe(String(retryAfter));
  expect(answer.body?.retryAfterSeconds).toBe(retryAfter);
  return retryAfter;
}

describe("rateLimit: options", () => {
  const base: RateLimitOptions<TestEnv> = { classify: () => "reads", identify: () => "ip:1", limits: LIMITS };
  test("bad options fail when the middleware is made, not on a request", () => {
    expect(typeof rateLimit(base)).toBe("function");
    expect(rateLimit(base).name).toBe("rateLimiter");
    expect(() => rateLimit({ ...base, limits: { ...LIMITS, quotes: { requests: 0, windowSeconds: 60 } } })).toThrow(/quotes/);
    expect(() => rateLimit({ ...base, limits: { ...LIMITS, reads: { requests: 10, windowSeconds: 0.5 } } })).toThrow(/reads/);
    const { auth: _, ...missing } = LIMITS;
    expect(() => rateLimit({ ...base, limits: missing as Record<RouteClass, RateLimitRule> })).toThrow(/auth/);
    expect(() => rateLimit({ ...base, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => rateLimit({ ...base, backoff: { initialMs: 10, maxMs: 5 } })).toThrow(/backoff/);
  });
});

describe("rateLimit against a real redis-server through the Upstash REST bridge", () => {
  test("a burst beyond the limit gets 429 problems with Retry-After and RateLimit-* headers", async () => {
    const env = bindings("burst");
    const { call, failures } = isolate();
    const rule = LIMITS.ingest;
    await awayFromBoundary(rule.windowSeconds, 5_000);
    const answers: Answer[] = [];
    for (let i = 0; i < rule.requests + 3; i++) answers.push(await call(env, "ingest", "key:alpha"));

    const admitted = answers.slice(0, rule.requests);
    expect(admitted.map((a) => a.status)).toEqual(Array(rule.requests).fill(202));
    expect(admitted.map((a) => a.headers.get("ratelimit-remaining"))).toEqual(["4", "3", "2", "1", "0"]);
    for (const a of admitted) expectLimitHeaders(a, rule, "redis");

    for (const refused of answers.slice(rule.requests)) {
      const retryAfter = expectRefusal(refused, rule, "redis", "ingest");
      // Redis's windows are fixed hours: the quota is back when this one ends.
      const secondsToWindowEnd = Math.ceil((rule.windowSeconds * 1000 - (Date.now() % (rule.windowSeconds * 1000))) / 1000);
      expect(Math.abs(retryAfter - secondsToWindowEnd)).toBeLessThanOrEqual(1);
    }
    expect(failures).toEqual([]);

    // The count is in the real redis-server, under the prefix and route class.
    const keys = await redisKeys(`${env.RATE_LIMIT_PREFIX}:ingest:key:alpha:*`);
    expect([...keys.values()]).toEqual([String(rule.requests)]);
  });

  test("callers and route classes are limited separately; unclassified routes are not limited", async () => {
    const env = bindings("separate");
    const { call } = isolate();
    await awayFromBoundary(HOUR, 5_000);
    for (let i = 0; i < LIMITS.quotes.requests; i++) expect((await call(env, "quotes", "key:alpha")).status).toBe(201);
    expectRefusal(await call(env, "quotes", "key:alpha"), LIMITS.quotes, "redis", "quotes");

    // Another key, an IP, another class: each has its own quota.
    const other = await call(env, "quotes", "key:beta");
    expect(other.status).toBe(201);
    expect(other.headers.get("ratelimit-remaining")).toBe(String(LIMITS.quotes.requests - 1));
    const byIp = await call(env, "quotes", "ip:203.0.113.7");
    expect(byIp.status).toBe(201);
    const ingest = await call(env, "ingest", "key:alpha");
    expect(ingest.status).toBe(202);
    expect(ingest.headers.get("ratelimit-remaining")).toBe(String(LIMITS.ingest.requests - 1));
    expectLimitHeaders(ingest, LIMITS.ingest, "redis");

    for (let i = 0; i < 10; i++) {
      const health = await call(env, "health", "key:alpha");
      expect(health.status).toBe(200);
      expect(health.headers.get("ratelimit-limit")).toBeNull();
      expect(health.headers.get("x-ratelimit-source")).toBeNull();
    }
  });

  test("two isolates share one limit in Redis: together they admit exactly the limit", async () => {
    const env = bindings("shared");
    const one = isolate();
    const two = isolate();
    const rule = LIMITS.ingest;
    await awayFromBoundary(rule.windowSeconds, 5_000);
    // Concurrent and interleaved, as two isolates serving one caller would be.
    const answers = await Promise.all(
      Array.from({ length: rule.requests * 4 }, (_, i) => (i % 2 === 0 ? one : two).call(env, "ingest", "key:shared")),
    );
    const admitted = answers.filter((a) => a.status === 202);
    expect(admitted.length).toBe(rule.requests);
    expect(answers.filter((a) => a.status === 429).length).toBe(rule.requests * 3);
    expect(answers.every((a) => a.headers.get("x-ratelimit-source") === "redis")).toBe(true);
    expect(admitted.map((a) => a.headers.get("ratelimit-remaining")).sort()).toEqual(["0", "1", "2", "3", "4"]);
    // Both isolates refused some: neither kept a quota of its own.
    const fromOne = answers.filter((_, i) => i % 2 === 0);
    const fromTwo = answers.filter((_, i) => i % 2 === 1);
    expect(fromOne.some((a) => a.status === 429) && fromTwo.some((a) => a.status === 429)).toBe(true);
  });

  test("Retry-After is honest: after waiting it out, the caller is admitted again", async () => {
    const env = bindings("retry");
    const rule: RateLimitRule = { requests: 2, windowSeconds: 2 };
    const { call } = isolate({ limits: { ...LIMITS, auth: rule } });
    await awayFromBoundary(rule.windowSeconds, 1_000);
    expect((await call(env, "auth", "ip:198.51.100.1")).status).toBe(200);
    expect((await call(env, "auth", "ip:198.51.100.1")).status).toBe(200);
    const retryAfter = expectRefusal(await call(env, "auth", "ip:198.51.100.1"), rule, "redis", "auth");
    expect(retryAfter).toBeLessThanOrEqual(rule.windowSeconds);
    await Bun.sleep(retryAfter * 1000 + 50);
    const again = await call(env, "auth", "ip:198.51.100.1");
    expect(again.status).toBe(200);
    expect(again.headers.get("x-ratelimit-source")).toBe("redis");
  });

  test("with redis-server stopped the fallback still limits, nothing is a 5xx, and Redis takes over again once back", async () => {
    const env = bindings("outage");
    const { call, failures } = isolate();
    const rule = LIMITS.ingest;
    await awayFromBoundary(rule.windowSeconds, 5_000);
    // Before the outage: this caller uses up its quota in Redis.
    for (let i = 0; i < rule.requests; i++) expect((await call(env, "ingest", "key:heavy")).status).toBe(202);
    expectRefusal(await call(env, "ingest", "key:heavy"), rule, "redis", "ingest");

    await redis.stop();
    try {
      // The isolate counted what Redis admitted: the heavy caller stays refused.
      const heavy = await call(env, "ingest", "key:heavy");
      expectRefusal(heavy, rule, "fallback", "ingest");
      expect(failures.length).toBeGreaterThanOrEqual(1);
      expect(failures[0]?.reason).toBe("error");

      // A fresh caller: exactly the limit, then 429s; concurrently, and never a 5xx.
      const burst = await Promise.all(Array.from({ length: rule.requests * 3 }, () => call(env, "ingest", "key:fresh")));
      expect(burst.filter((a) => a.status === 202).length).toBe(rule.requests);
      for (const refused of burst.filter((a) => a.status !== 202)) expectRefusal(refused, rule, "fallback", "ingest");

      // Whatever the route class, nothing fails while Redis is gone, and every answer says it is degraded.
      const mixed = await Promise.all(
        (["ingest", "quotes", "reads", "auth"] as const).flatMap((rc) =>
          Array.from({ length: 8 }, (_, i) => call(env, rc, `ip:192.0.2.${i % 3}`)),
        ),
      );
      expect(mixed.every((a) => a.status < 500)).toBe(true);
      expect(mixed.some((a) => a.status === 429)).toBe(true);
      expect(mixed.every((a) => a.headers.get("x-ratelimit-source") === "fallback")).toBe(true);
    } finally {
      await redis.start();
    }

    // Back: after the backoff a probe finds Redis, and answers come from it again.
    await eventually(
      async () => (await call(env, "reads", "ip:192.0.2.200")).headers.get("x-ratelimit-source") === "redis",
      15_000,
      "the source is redis again",
    );
    // The restarted Redis is empty: the fresh caller has a new quota there, counted in Redis.
    const after = await call(env, "ingest", "key:fresh");
    expect(after.status).toBe(202);
    expect(after.headers.get("x-ratelimit-source")).toBe("redis");
    expect(after.headers.get("ratelimit-remaining")).toBe(String(rule.requests - 1));
  });

  test("a Redis slower than timeoutMs is a timeout, and a timeout means the fallback decides, never 'allowed'", async () => {
    let received = 0;
    const hanging = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 0,
      fetch: () => {
        received++;
        return new Promise<Response>(() => undefined);
      },
    });
    try {
      const { call, failures } = isolate({ timeoutMs: 150 });
      const env = { ...bindings("slow"), UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${hanging.port}` };
      const rule = LIMITS.quotes;
      const answers: Answer[] = [];
      for (let i = 0; i < rule.requests + 2; i++) answers.push(await call(env, "quotes", "key:patient"));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429, 429]);
      expect(answers.every((a) => a.headers.get("x-ratelimit-source") === "fallback")).toBe(true);
      expectRefusal(answers[3] as Answer, rule, "fallback", "quotes");
      expect(received).toBeGreaterThanOrEqual(1);
      expect(failures.length).toBeGreaterThanOrEqual(1);
      expect(failures.every((f) => f.reason === "timeout")).toBe(true);
    } finally {
      await hanging.stop(true);
    }
  });

  test("after a failure Redis is left alone for a backoff that doubles up to its cap", async () => {
    let received = 0;
    const broken = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => {
        received++;
        return Response.json({ error: "ERR the server is broken" }, { status: 500 });
      },
    });
    try {
      let now = 1_000_000;
      // The default backoff (5 s doubling to 60 s), on a clock the test moves.
      // random 1: the top of the jittered range, so the delays are exact.
      const { call, failures } = isolate({ backoff: undefined, clock: () => now, random: () => 1 });
      const env = { ...bindings("backoff"), UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${broken.port}` };
      const expected = [5_000, 10_000, 20_000, 40_000, 60_000, 60_000];
      for (const [i, delay] of expected.entries()) {
        const answer = await call(env, "reads", "ip:192.0.2.1");
        expect(answer.status).toBe(200);
        expect(answer.headers.get("x-ratelimit-source")).toBe("fallback");
        expect(received).toBe(i + 1);
        expect(failures.map((f) => f.retryInMs)).toEqual(expected.slice(0, i + 1));
        // During the backoff not one request reaches Redis.
        now += delay - 1;
        for (let j = 0; j < 5; j++) await call(env, "reads", "ip:192.0.2.1");
        expect(received).toBe(i + 1);
        now += 1;
      }
      expect(failures.every((f) => f.reason === "error")).toBe(true);
    } finally {
      await broken.stop(true);
    }
  });

  test("a wrong token or no Redis configured at all: limited per isolate, visibly", async () => {
    const wrongToken = { ...bindings("token"), UPSTASH_REDIS_REST_TOKEN: "not-the-token" };
    const unconfigured: RateLimitBindings = {};
    for (const env of [wrongToken, unconfigured]) {
      const { call } = isolate();
      const answers: Answer[] = [];
      for (let i = 0; i < LIMITS.auth.requests + 2; i++) answers.push(await call(env, "auth", "ip:198.51.100.9"));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429, 429]);
      expect(answers.every((a) => a.headers.get("x-ratelimit-source") === "fallback")).toBe(true);
      expectRefusal(answers[2] as Answer, LIMITS.auth, "fallback", "auth");
    }
  });
});

describe("rateLimit in workerd", () => {
  const ROOT = resolve(import.meta.dir, "..");
  /** A Worker that is only the middleware in front of two routes, bundled for workerd. */
  const WORKER = `
import { Hono } from "${ROOT}/node_modules/hono/dist/index.js";
import { renderProblem } from "${ROOT}/workers/api/problem";
import { ipIdentity, rateLimit } from "${ROOT}/workers/api/rate-limit";
const app = new Hono();
app.use("*", async (c, next) => { c.set("requestId", crypto.randomUUID()); await next(); });
app.use("*", rateLimit({
  classify: (c) => (c.req.path === "/quotes" ? "quotes" : "reads"),
  identify: (c) => ipIdentity(c),
  limits: ${JSON.stringify(LIMITS)},
  timeoutMs: 300,
  backoff: { initialMs: 100, maxMs: 400 },
}));
app.get("*", (c) => c.json({ ok: true }));
app.onError(renderProblem);
export default app;
`;

  test("the middleware limits inside a Worker isolate, through Redis and by the fallback while redis-server is stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rate-limit-worker-"));
    let mf: Miniflare | undefined;
    try {
      writeFileSync(join(dir, "worker.ts"), WORKER);
      const built = await Bun.build({
        entrypoints: [join(dir, "worker.ts")],
        target: "browser",
        format: "esm",
        conditions: ["workerd", "worker", "browser"],
      });
      expect(built.logs.filter((l) => l.level === "error")).toEqual([]);
      const script = await (built.outputs[0] as Blob).text();
      mf = new Miniflare(
        convertV4MiniflareOptions({
          port: 0,
          workers: [
            {
              name: "rate-limit",
              modules: true,
              script,
              compatibilityDate: "2026-11-01",
              compatibilityFlags: ["nodejs_compat"],
              bindings: { ...bindings("workerd") },
            },
          ],
        } as unknown as Parameters<typeof convertV4MiniflareOptions>[0]),
      );
      const url = (await mf.ready).href.replace(/\/$/, "");
      const call = async (path: string, ip: string) => {
        const res = await fetch(url + path, { headers: { "cf-connecting-ip": ip } });
        const text = await res.text();
        return {
          status: res.status,
          headers: res.headers,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
        };
      };
      await awayFromBoundary(HOUR, 5_000);

      const viaRedis: Answer[] = [];
      for (let i = 0; i < LIMITS.quotes.requests + 1; i++) viaRedis.push(await call("/quotes", "192.0.2.10"));
      expect(viaRedis.map((a) => a.status)).toEqual([200, 200, 200, 429]);
      expect(viaRedis.every((a) => a.headers.get("x-ratelimit-source") === "redis")).toBe(true);
      expectRefusal(viaRedis[3] as Answer, LIMITS.quotes, "redis", "quotes");
      expect((await redisKeys(`${bindings("workerd").RATE_LIMIT_PREFIX}:quotes:ip:192.0.2.10:*`)).size).toBe(1);

      await redis.stop();
      try {
        const degraded: Answer[] = [];
        for (let i = 0; i < LIMITS.quotes.requests + 1; i++) degraded.push(await call("/quotes", "192.0.2.11"));
        expect(degraded.map((a) => a.status)).toEqual([200, 200, 200, 429]);
        expect(degraded.every((a) => a.headers.get("x-ratelimit-source") === "fallback")).toBe(true);
        expectRefusal(degraded[3] as Answer, LIMITS.quotes, "fallback", "quotes");
      } finally {
        await redis.start();
      }
      await eventually(
        async () => (await call("/reads", "192.0.2.12")).headers.get("x-ratelimit-source") === "redis",
        15_000,
        "the Worker's source is redis again",
      );
    } finally {
      await mf?.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
