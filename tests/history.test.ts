import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPool } from "../db/client";
import { writeHistory } from "../db/history";
import { neonEnv } from "../harness/bridges";
import { cellAt, demandEvents, demoMarket, eventually, putMarket, sleep, supplyEvents } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { LocalCluster, psql } from "../scripts/postgres";
import type { HistoryMessage } from "../shared/contracts/history";

/**
 * Reconciliation: what the edge accepted is what Postgres holds — each event once — also when
 * batches are delivered twice and when the database server is stopped in the middle of a run.
 */

const spots = [cellAt(40.758, -73.9855), cellAt(40.7233, -74.003), cellAt(40.7527, -73.9772), cellAt(40.7033, -74.017)];

interface Ingested {
  accepted: number;
  duplicate: number;
}

/** A partner's back end reports a round of drivers and riders, the riders twice. */
async function send(p: Platform, round: number) {
  const at = spots[round % spots.length] as { lat: number; lng: number };
  const supply = { events: supplyEvents(at, 20) };
  const demand = { events: demandEvents(at, 30, round % 2 === 0 ? "request" : "search") };
  let accepted = 0;
  for (const [path, body] of [
    ["/v1/events/supply", supply],
    ["/v1/events/demand", demand],
    ["/v1/events/demand", demand], // delivered twice: all duplicates
  ] as const) {
    const res = await p.as("service").json<Ingested>(path, body);
    expect(res.status).toBe(202);
    accepted += res.body.accepted;
  }
  return accepted;
}

function count(p: Platform, sql: string): number {
  return Number(psql(p.database.target, p.database.name, sql));
}

describe("history reconciles with what the edge accepted", () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform();
    await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  });
  afterAll(async () => {
    await p.dispose();
  });

  test("N events accepted become exactly N rows, each once, with replays ignored", async () => {
    let accepted = 0;
    for (let round = 0; round < 8; round++) accepted += await send(p, round);
    expect(accepted).toBe(8 * 50);
    await eventually(async () => (count(p, "select count(*) from events") === accepted ? true : undefined), 20_000, 250);
    expect(count(p, "select count(distinct (kind, event_id)) from events")).toBe(accepted);
    expect(count(p, "select count(*) from events where kind = 'supply'")).toBe(8 * 20);
    // Every stored row is in the right market and cell.
    expect(
      count(
        p,
        `select count(*) from events where market_id <> 'nyc' or cell not in (${spots.map((s) => `'${s.cell}'`).join(",")})`,
      ),
    ).toBe(0);
  });

  test("quotes and their verification reach history; per-minute surge rows are written", async () => {
    const rider = p.as("rider");
    const quote = await rider.json<{ quoteId: string; token: string; total: number }>("/v1/quotes", {
      pickup: spots[0],
      dropoff: { lat: 40.7069, lng: -74.0113 },
      product: "standard",
    });
    expect(quote.status).toBe(201);
    await rider.json("/v1/quotes/verify", { token: quote.body.token });
    const id = quote.body.quoteId;
    await eventually(
      async () =>
        count(p, `select count(*) from quotes where quote_id = '${id}' and verified_at is not null`) === 1 ? true : undefined,
      20_000,
      250,
    );
    expect(count(p, `select total from quotes where quote_id = '${id}'`)).toBe(quote.body.total);
    await eventually(
      async () => (count(p, "select count(*) from surge_minutes where multiplier > 1") > 0 ? true : undefined),
      90_000,
      500,
    );
  }, 120_000);

  test("clients that hang up in the middle of their quotes leave the next quotes unharmed", async () => {
    const token = await p.token({ roles: ["service"], markets: ["nyc"] });
    const body = JSON.stringify({ pickup: spots[2], dropoff: { lat: 40.7069, lng: -74.0113 }, product: "standard" });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    // One answered quote first (its zone's reading then serves this isolate for a tick); then forty,
    // each abandoned by its client after 0–9 ms: some before an answer, some after.
    expect((await fetch(`${p.url}/v1/quotes`, { method: "POST", headers, body })).status).toBe(201);
    await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${p.url}/v1/quotes`, { method: "POST", headers, body, signal: AbortSignal.timeout(i % 10) }),
      ),
    );
    const after = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${p.url}/v1/quotes`, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) }).then((r) => r.status),
      ),
    );
    expect(after).toEqual(after.map(() => 201));
  }, 60_000);

  test("a burst of quotes at one cell is recorded once each with what was charged", async () => {
    const service = p.as("service");
    const rider = p.as("rider");
    const at = spots[1] as { lat: number; lng: number };
    expect((await rider.fetch(`/v1/surge?lat=${at.lat}&lng=${at.lng}`)).status).toBe(200);
    const burst = await Promise.all(
      Array.from({ length: 60 }, () =>
        service.json<{ quoteId: string; total: number; multiplier: number }>("/v1/quotes", {
          pickup: at,
          dropoff: { lat: 40.7069, lng: -74.0113 },
          product: "standard",
        }),
      ),
    );
    expect(burst.map((q) => q.status)).toEqual(burst.map(() => 201));
    const ids = burst.map((q) => `'${q.body.quoteId}'`).join(",");
    expect(new Set(burst.map((q) => q.body.quoteId)).size).toBe(60);
    await eventually(
      async () => (count(p, `select count(*) from quotes where quote_id in (${ids})`) === 60 ? true : undefined),
      20_000,
      250,
    );
    expect(count(p, `select count(distinct quote_id) from quotes where quote_id in (${ids})`)).toBe(60);
    // Each row holds the total that quote charged.
    const charged = burst.reduce((sum, q) => sum + q.body.total, 0);
    expect(count(p, `select sum(total) from quotes where quote_id in (${ids})`)).toBe(charged);
  }, 60_000);

  test("a batch the writer gets again — alone, or inside a larger one — leaves each event once and writes what is new", async () => {
    const events = (from: number, to: number): HistoryMessage => ({
      type: "events",
      market: "nyc",
      zone: "z",
      events: Array.from({ length: to - from }, (_, i) => ({
        kind: "demand" as const,
        source: "redelivered-test",
        eventId: `r-${from + i}`,
        cell: spots[0]?.cell ?? "",
        at: Date.now(),
        actorId: null,
        status: "search",
      })),
    });
    const { pool, db } = openPool(await neonEnv(p.database.url));
    try {
      await writeHistory(db, [events(0, 100)]);
      await writeHistory(db, [events(0, 100)]);
      // Half stored, half new, and ten of them twice in the batch itself.
      await writeHistory(db, [events(50, 150), events(0, 10)]);
      // A batch large enough to be written in two halves at once, a third of it stored already.
      await writeHistory(db, [events(100, 1100), events(1100, 3100), events(1000, 1010)]);
    } finally {
      await pool.end();
    }
    expect(count(p, "select count(*) from events where source = 'redelivered-test'")).toBe(3100);
    expect(count(p, "select count(distinct event_id) from events where source = 'redelivered-test'")).toBe(3100);
  });
});

describe("when PostgreSQL is stopped mid-run", () => {
  let dir: string;
  let cluster: LocalCluster;
  let p: Platform;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "equilibrium-pg-"));
    cluster = new LocalCluster(dir, 20_000 + Math.floor(Math.random() * 20_000));
    await cluster.start();
    p = await startPlatform({ postgres: cluster });
    await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  });
  afterAll(async () => {
    await p.dispose();
    try {
      cluster.stop();
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("pricing goes on, history waits, and nothing is lost or doubled once it is back", async () => {
    let accepted = 0;
    for (let round = 0; round < 3; round++) accepted += await send(p, round);
    await eventually(async () => (count(p, "select count(*) from events") === accepted ? true : undefined), 20_000, 250);

    cluster.stop();
    const stoppedAt = Date.now();
    for (let round = 3; round < 9; round++) accepted += await send(p, round);
    const q = await p.as("rider").json<{ total: number }>("/v1/quotes", {
      pickup: spots[0],
      dropoff: { lat: 40.7069, lng: -74.0113 },
      product: "standard",
    });
    expect(q.status).toBe(201); // quotes need no database
    const kpis = await p
      .as("operator", { markets: ["nyc"] })
      .fetch(`/v1/markets/nyc/kpis?from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date().toISOString()}`);
    expect(kpis.status).toBe(503);
    expect(kpis.headers.get("retry-after")).toBeTruthy();
    await sleep(4_000);

    await cluster.start();
    const restartedAt = Date.now();
    await eventually(async () => (count(p, "select count(*) from events") === accepted ? true : undefined), 120_000, 500);
    const recoveredAt = Date.now();
    expect(count(p, "select count(distinct (kind, event_id)) from events")).toBe(accepted);
    console.log(
      `history outage: database down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s; all ${accepted} events in Postgres ${((recoveredAt - restartedAt) / 1000).toFixed(1)} s after it came back`,
    );
    const dead = (await (await p.as("admin").fetch("/v1/admin/dead-letters")).json()) as { count: number };
    expect(dead.count).toBe(0);
  }, 180_000);
});
