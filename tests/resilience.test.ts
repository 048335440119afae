import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bridges, startBridges } from "../bridges";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, sleep, supplyEvents } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { LocalCluster, psql } from "../scripts/postgres";
import { type RedisServer, startRedisServer } from "./support/redis";

/**
 * Fault injection with the real processes: the PostgreSQL server and the redis-server are
 * stopped and started again, and a zone object is made to fail, while a load generator keeps
 * sending ingest batches and quotes. Pricing must go on (degraded answers marked), the mode
 * must follow the faults, and afterwards every accepted event must be in Postgres exactly once.
 */

const hot = cellAt(40.758, -73.9855);
const calm = cellAt(40.7233, -74.003);
const dropoff = { lat: 40.7069, lng: -74.0113 };

interface Tally {
  accepted: number;
  retryable: Set<string>;
  quotes: number;
  quoteFailures: number;
  degradedQuotes: number;
  serverErrors: number;
  rateLimitSources: Set<string>;
}

let dir: string;
let cluster: LocalCluster;
let redis: RedisServer;
let bridges: Bridges;
let p: Platform;
/** A partner's back end sends the load; riders quote; the admin probes and injects faults; nyc's operator runs the market. */
let partner: Client;
let rider: Client;
let admin: Client;
let operator: Client;
const figures: string[] = [];

/** Sends batches (retrying what a failing zone could not take, as a client should) and quotes until stopped. */
function loadGenerator(tally: Tally) {
  let running = true;
  const pending: Array<{ path: string; events: unknown[] }> = [];
  /** Sends what is pending; what a failing zone refused as retryable stays pending. */
  const sendPending = async () => {
    for (const batch of pending.splice(0)) {
      const res = await partner.json<{ accepted?: number; rejections?: Array<{ index: number; retryable?: boolean }> }>(
        batch.path,
        {
          events: batch.events,
        },
      );
      if (res.status >= 500 && res.status !== 503) tally.serverErrors += 1;
      tally.rateLimitSources.add(res.headers.get("x-ratelimit-source") ?? "none");
      tally.accepted += res.body?.accepted ?? 0;
      const retry = (res.body?.rejections ?? []).filter((r) => r.retryable).map((r) => batch.events[r.index]);
      if (retry.length > 0) {
        for (const e of retry) tally.retryable.add((e as { eventId: string }).eventId);
        pending.push({ path: batch.path, events: retry });
      }
    }
  };
  const loop = (async () => {
    let round = 0;
    while (running) {
      round += 1;
      const at = round % 2 === 0 ? hot : calm;
      pending.push({ path: "/v1/events/supply", events: supplyEvents(at, 5) });
      pending.push({ path: "/v1/events/demand", events: demandEvents(at, 20) });
      await sendPending();
      const q = await partner.json<{ degraded: unknown }>("/v1/quotes", { pickup: at, dropoff, product: "standard" });
      tally.quotes += 1;
      if (q.status !== 201) tally.quoteFailures += 1;
      if (q.status >= 500) tally.serverErrors += 1;
      if (q.headers.get("equilibrium-degraded")) tally.degradedQuotes += 1;
      await sleep(50);
    }
    // Whatever a failing zone still refused goes in once everything is back.
    for (let attempt = 0; pending.length > 0 && attempt < 50; attempt++) {
      await sendPending();
      if (pending.length > 0) await sleep(500);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

interface Mode {
  mode: string;
  markets: Record<string, string>;
  dependencies: Record<string, { status: string }> & { zones: { status: string; failing: string[]; failingShare: number } };
}

async function mode(): Promise<Mode> {
  const res = await admin.json<{ system: Mode }>("/v1/system/probe", {});
  return res.body.system;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "equilibrium-faults-"));
  cluster = new LocalCluster(dir, 20_000 + Math.floor(Math.random() * 20_000));
  await cluster.start();
  redis = await startRedisServer();
  bridges = await startBridges({ redis: { host: redis.host, port: redis.port } });
  p = await startPlatform({
    postgres: cluster,
    bindings: {
      CHAOS_ENABLED: "true",
      UPSTASH_REDIS_REST_URL: bridges.upstashUrl,
      UPSTASH_REDIS_REST_TOKEN: bridges.upstashToken,
    },
  });
  partner = p.as("service");
  rider = p.as("rider");
  admin = p.as("admin");
  operator = p.as("operator", { markets: ["nyc"] });
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
});

afterAll(async () => {
  await p.dispose();
  await bridges.stop();
  await redis.dispose();
  try {
    cluster.stop();
  } catch {
    // already stopped
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\nfault-injection figures:\n  ${figures.join("\n  ")}`);
});

describe("under real faults, pricing degrades and recovers", () => {
  test("Postgres, Redis and a zone fail in turn under load; quotes keep succeeding; nothing accepted is lost or doubled", async () => {
    const tally: Tally = {
      accepted: 0,
      retryable: new Set(),
      quotes: 0,
      quoteFailures: 0,
      degradedQuotes: 0,
      serverErrors: 0,
      rateLimitSources: new Set(),
    };
    expect((await mode()).mode).toBe("normal");
    const load = loadGenerator(tally);
    await sleep(1500);

    // 1. PostgreSQL stops.
    cluster.stop();
    const pgDown = await eventually(
      async () => {
        const m = await mode();
        return m.mode === "degraded" && m.dependencies.postgres?.status === "failing" ? m : undefined;
      },
      15_000,
      250,
    );
    expect(pgDown.dependencies.zones?.status).toBe("ok");
    await sleep(2000);
    await cluster.start();
    const pgBack = Date.now();
    await eventually(async () => ((await mode()).mode === "normal" ? true : undefined), 30_000, 250);
    figures.push(`PostgreSQL: mode back to normal ${((Date.now() - pgBack) / 1000).toFixed(1)} s after the server restarted`);

    // 2. redis-server stops: rate limits fall back per isolate, nothing else changes.
    await redis.stop();
    await eventually(
      async () => {
        const m = await mode();
        return m.mode === "degraded" && m.dependencies.redis?.status === "failing" ? true : undefined;
      },
      15_000,
      250,
    );
    await sleep(2000);
    await redis.start();
    const redisBack = Date.now();
    await eventually(async () => ((await mode()).mode === "normal" ? true : undefined), 30_000, 250);
    figures.push(`Redis: mode back to normal ${((Date.now() - redisBack) / 1000).toFixed(1)} s after the server restarted`);

    // 3. The zone of the hot cell fails for 6 s (time to read the mode and readiness meanwhile): quotes there
    // use its last known multiplier, marked.
    const before = await rider.json<{ multiplier: number }>("/v1/quotes", { pickup: hot, dropoff, product: "standard" });
    const chaos = await admin.json<{ zone: string }>("/v1/admin/chaos/zone", { lat: hot.lat, lng: hot.lng, seconds: 6 });
    expect(chaos.status).toBe(200);
    const sickZone = `nyc:${chaos.body.zone}`;
    const degraded = await rider.json<{ multiplier: number; degraded: { reason: string; basis: string } }>("/v1/quotes", {
      pickup: hot,
      dropoff,
      product: "standard",
    });
    expect(degraded.status).toBe(201);
    expect(degraded.headers.get("equilibrium-degraded")).toBe("zone-unavailable");
    expect(degraded.body.degraded).toMatchObject({ reason: "zone-unavailable", basis: "last-known" });
    expect(degraded.body.multiplier).toBe(before.body.multiplier);
    const calmQuote = await rider.json<{ degraded: unknown }>("/v1/quotes", { pickup: calm, dropoff, product: "standard" });
    expect(calmQuote.body.degraded).toBeNull(); // other zones are unaffected
    // The system sees that zone, by name, and degrades its market; one zone of a handful is not the zones failing.
    const zoneDown = await eventually(
      async () => {
        const m = await mode();
        return m.dependencies.zones.failing.includes(sickZone) ? m : undefined;
      },
      3_000,
      100,
    );
    expect(zoneDown.markets.nyc).toBe("degraded");
    expect(zoneDown.dependencies.zones.failing).toEqual([sickZone]);
    expect(zoneDown.dependencies.zones.failingShare).toBeGreaterThan(0);
    expect(zoneDown.dependencies.zones.failingShare).toBeLessThan(0.25);
    expect(zoneDown.dependencies.zones.status).toBe("ok");
    expect(zoneDown.mode).toBe("normal");
    // Readiness says so too: still ready to price (the zones can be reached), degraded by that zone.
    const ready = (await (await operator.fetch("/health/ready?deep=1")).json()) as {
      status: string;
      checks: { zones: { status: string; failing: string[] } };
    };
    expect(ready.checks.zones).toMatchObject({ status: "ok", failing: [sickZone] });
    expect(ready.status).toBe("degraded");
    figures.push(
      `zone ${sickZone} failing: market nyc degraded, system ${zoneDown.mode} (${Math.round(zoneDown.dependencies.zones.failingShare * 100)} % of zones failing)`,
    );
    await sleep(5000);
    await eventually(
      async () => {
        const q = await rider.json<{ degraded: unknown }>("/v1/quotes", { pickup: hot, dropoff, product: "standard" });
        return q.status === 201 && q.body.degraded === null ? true : undefined;
      },
      40_000,
      500,
    );
    // The zone answers again: the breaker that probed it reports so, and its market is back to normal.
    await eventually(
      async () => {
        const m = await mode();
        return m.dependencies.zones.failing.length === 0 && m.markets.nyc === undefined ? true : undefined;
      },
      10_000,
      250,
    );

    await load.stop();
    expect(tally.serverErrors).toBe(0);
    expect(tally.quoteFailures).toBe(0);
    expect(tally.degradedQuotes).toBeGreaterThan(0);
    expect(tally.retryable.size).toBeGreaterThan(0);
    expect([...tally.rateLimitSources]).toContain("fallback");

    // Every accepted event reaches Postgres exactly once.
    const drained = Date.now();
    const count = () => Number(psql(cluster, p.database.name, "select count(*) from events"));
    await eventually(async () => (count() === tally.accepted ? true : undefined), 120_000, 500);
    expect(Number(psql(cluster, p.database.name, "select count(distinct (kind, event_id)) from events"))).toBe(tally.accepted);
    figures.push(
      `${tally.accepted} events accepted under load, all in Postgres exactly once (${((Date.now() - drained) / 1000).toFixed(1)} s after the load stopped)`,
    );
    figures.push(
      `${tally.quotes} quotes, ${tally.quoteFailures} failed, ${tally.degradedQuotes} marked degraded; ${tally.retryable.size} events refused as retryable while their zone failed, then accepted`,
    );
    // The failure log reaches Postgres through history like the rest: the last change (the market
    // back to normal) may still be on its way when the events are in.
    const failureLog = () =>
      psql(
        cluster,
        p.database.name,
        "select string_agg(kind || ':' || subject || ':' || status, ' → ' order by at) from failure_events",
      );
    let failures = "";
    await eventually(
      async () => {
        failures = failureLog();
        return failures.includes("mode:market:nyc:normal") ? true : undefined;
      },
      30_000,
      250,
    ).catch(() => undefined);
    figures.push(`failure log: ${failures}`);
    expect(failures).toContain("dependency:postgres:failing");
    expect(failures).toContain("dependency:redis:ok");
    expect(failures).toContain("mode:system:degraded");
    for (const entry of [`dependency:zone:${sickZone}:failing`, "mode:market:nyc:degraded", `dependency:zone:${sickZone}:ok`])
      expect(failures).toContain(entry);
    expect(failures).toContain("mode:market:nyc:normal");

    // The performance and failure report: per mode, rates, errors and latency percentiles, and the failure log.
    const from = new Date(Date.now() - 10 * 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const report = await eventually(
      async () => {
        await p.fetch("/health/live"); // any request lets this isolate flush its counts when due
        const r = await operator.fetch(`/v1/system/report?from=${from}&to=${to}`);
        const body = (await r.json()) as {
          modes: Array<{ mode: string; requests: number; latencyMs: { p50: number; p99: number } }>;
          failures: unknown[];
        };
        return body.modes.some((m) => m.mode === "degraded") && body.modes.some((m) => m.mode === "normal") ? body : undefined;
      },
      30_000,
      1000,
    );
    for (const m of report.modes) {
      expect(m.requests).toBeGreaterThan(0);
      expect(m.latencyMs.p50).toBeLessThanOrEqual(m.latencyMs.p99);
      figures.push(`report, ${m.mode}: ${m.requests} requests, p50 ≤ ${m.latencyMs.p50} ms, p99 ≤ ${m.latencyMs.p99} ms`);
    }
    expect(report.failures.length).toBeGreaterThan(5);
  }, 300_000);
});

describe("an operator's emergency", () => {
  test("caps every multiplier and quote in its area within one tick; lifting it restores normal pricing", async () => {
    await partner.json("/v1/events/supply", { events: supplyEvents(hot, 2) });
    await partner.json("/v1/events/demand", { events: demandEvents(hot, 80) });
    await eventually(
      async () => {
        const s = (await (await rider.fetch(`/v1/surge?lat=${hot.lat}&lng=${hot.lng}`)).json()) as { multiplier: number };
        return s.multiplier >= 1.6 ? true : undefined;
      },
      20_000,
      100,
    );
    // An operator console watching the market hears of the emergency on its live feed.
    const watcher = new WebSocket(
      `${p.url.replace("http", "ws")}/v1/live?market=nyc&access_token=${await p.token({ roles: ["operator"], markets: ["nyc"] })}`,
    );
    const heard: Array<Record<string, unknown>> = [];
    watcher.onmessage = (e) => heard.push(JSON.parse(String(e.data)));
    await new Promise((resolve) => {
      watcher.onopen = resolve;
    });
    const declared = await operator.json<{ id: string }>("/v1/system/overrides", {
      market: "nyc",
      cap: 1.2,
      minutes: 10,
      reason: "street closures",
    });
    expect(declared.status).toBe(201);
    const declaredAt = Date.now();
    await eventually(
      async () => {
        const s = (await (await rider.fetch(`/v1/surge?lat=${hot.lat}&lng=${hot.lng}`)).json()) as { multiplier: number };
        return s.multiplier <= 1.2 ? true : undefined;
      },
      2_000,
      20,
    );
    figures.push(`emergency cap honoured in quotes and readings ${Date.now() - declaredAt} ms after it was declared`);
    const q = await rider.json<{ multiplier: number; explanation: { capApplied: string } }>("/v1/quotes", {
      pickup: hot,
      dropoff,
      product: "standard",
    });
    expect(q.body.multiplier).toBe(1.2);
    expect(q.body.explanation.capApplied).toBe("emergency");
    // The zones apply the cap on their next tick (every updateIntervalMs, 200 ms here).
    await eventually(
      async () => {
        const heat = (await (await operator.fetch("/v1/markets/nyc/heatmap")).json()) as { cells: Array<{ multiplier: number }> };
        return Math.max(...heat.cells.map((c) => c.multiplier)) <= 1.2 ? true : undefined;
      },
      1_000,
      20,
    );
    figures.push(`every zone showing the cap ${Date.now() - declaredAt} ms after it was declared (one tick is 200 ms)`);
    expect(((await (await operator.fetch("/v1/system")).json()) as { markets: Record<string, string> }).markets.nyc).toBe(
      "emergency",
    );
    const announced = await eventually(async () => heard.find((m) => m.type === "mode" && m.mode === "emergency"), 3_000, 50);
    expect((announced.overrides as Array<{ cap: number }>)[0]?.cap).toBe(1.2);
    watcher.close();

    expect((await operator.fetch(`/v1/system/overrides/${declared.body.id}`, { method: "DELETE" })).status).toBe(200);
    await eventually(
      async () => {
        const s = (await (await rider.fetch(`/v1/surge?lat=${hot.lat}&lng=${hot.lng}`)).json()) as { multiplier: number };
        return s.multiplier > 1.2 ? true : undefined;
      },
      10_000,
      100,
    );
  }, 60_000);
});
