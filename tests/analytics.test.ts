import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToParent } from "h3-js";
import { openPool } from "../db/client";
import { writeHistory } from "../db/history";
import { neonEnv } from "../harness/bridges";
import { cellAt, demoMarket, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import type { HistoryMessage } from "../shared/contracts/history";

/**
 * KPIs checked against figures computed here, independently, from the same generated history:
 * six hours of per-minute surge in three cells and a few hundred quotes, some verified.
 */

const cells = [cellAt(40.758, -73.9855).cell, cellAt(40.7233, -74.003).cell, cellAt(40.7033, -74.017).cell];
const start = Date.UTC(2026, 10, 20, 6, 0, 0);
const HOUR = 3_600_000;

/** A small deterministic generator, so a failure can be reproduced. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Minute {
  cell: string;
  minute: number;
  supply: number;
  demand: number;
  multiplier: number;
  peak: number;
}
interface Quote {
  id: string;
  cell: string;
  issuedAt: number;
  tenths: number;
  total: number;
  atOne: number;
  verified: boolean;
}

const rnd = random(42);
const minutes: Minute[] = [];
for (const cell of cells) {
  for (let m = 0; m < 6 * 60; m++) {
    if (rnd() < 0.3) continue; // not every cell is active every minute
    const multiplier = 1 + Math.floor(rnd() * 15) / 10;
    minutes.push({
      cell,
      minute: start + m * 60_000,
      supply: Math.floor(rnd() * 12),
      demand: Math.round(rnd() * 300) / 10,
      multiplier,
      peak: multiplier + Math.floor(rnd() * 3) / 10,
    });
  }
}
const quotes: Quote[] = Array.from({ length: 300 }, (_, i) => {
  const tenths = 10 + Math.floor(rnd() * 12);
  const atOne = 900 + Math.floor(rnd() * 4000);
  return {
    id: `q_kpi_${i}`,
    cell: cells[i % 3] as string,
    issuedAt: start + Math.floor(rnd() * 6 * HOUR),
    tenths,
    total: Math.round((atOne * tenths) / 10),
    atOne,
    verified: rnd() < 0.4,
  };
});

function expectedHour(h: number, cell?: string) {
  const from = start + h * HOUR;
  const ms = minutes.filter((m) => m.minute >= from && m.minute < from + HOUR && (!cell || m.cell === cell));
  const qs = quotes.filter((q) => q.issuedAt >= from && q.issuedAt < from + HOUR && (!cell || q.cell === cell));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const verified = qs.filter((q) => q.verified);
  return {
    avgMultiplier: sum(ms.map((m) => m.multiplier)) / ms.length,
    peakMultiplier: Math.max(...ms.map((m) => m.peak)),
    avgSupply: sum(ms.map((m) => m.supply)) / ms.length,
    avgDemand: sum(ms.map((m) => m.demand)) / ms.length,
    ratio: sum(ms.map((m) => m.demand)) / sum(ms.map((m) => m.supply)),
    quotes: qs.length,
    verified: verified.length,
    conversion: verified.length / qs.length,
    revenueAtSurge: sum(verified.map((q) => q.total)),
    revenueAtOne: sum(verified.map((q) => q.atOne)),
  };
}

test("the generated cells are distinct", () => expect(new Set(cells).size).toBe(3));

let p: Platform;
/** Analytics are read by the market's operator. */
let operator: Client;
beforeAll(async () => {
  p = await startPlatform();
  operator = p.as("operator", { markets: ["nyc"] });
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  const messages: HistoryMessage[] = [
    ...cells.map(
      (cell): HistoryMessage => ({
        type: "surge",
        market: "nyc",
        zone: cellToParent(cell, 6),
        minutes: minutes
          .filter((m) => m.cell === cell)
          .map((m) => ({
            cell,
            minute: m.minute,
            supply: m.supply,
            demand: m.demand,
            multiplier: m.multiplier,
            peakMultiplier: m.peak,
          })),
      }),
    ),
    ...quotes.map(
      (q): HistoryMessage => ({
        type: "quote",
        quote: {
          quoteId: q.id,
          market: "nyc",
          product: "standard",
          cell: q.cell,
          zone: cellToParent(q.cell, 6),
          currency: "USD",
          multiplierTenths: q.tenths,
          total: q.total,
          totalAtOne: q.atOne,
          issuedAt: q.issuedAt,
          expiresAt: q.issuedAt + 300_000,
        },
      }),
    ),
    // Verifications, some before their quote in the same batch order, some twice.
    ...quotes
      .filter((q) => q.verified)
      .map((q): HistoryMessage => ({ type: "verified", quoteId: q.id, at: q.issuedAt + 60_000 })),
  ];
  const { pool, db } = openPool(await neonEnv(p.database.url));
  try {
    await writeHistory(db, messages);
    await writeHistory(db, messages.slice(0, 50)); // a redelivery changes nothing
  } finally {
    await pool.end();
  }
});
afterAll(async () => {
  await p.dispose();
});

const iso = (t: number) => new Date(t).toISOString();

describe("analytics", () => {
  test("hourly KPIs of the market match figures computed from the generated history", async () => {
    const res = await operator.fetch(`/v1/markets/nyc/kpis?from=${iso(start)}&to=${iso(start + 6 * HOUR)}&bucket=hour`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: Array<Record<string, number | string>> };
    expect(body.rows).toHaveLength(6);
    body.rows.forEach((row, h) => {
      expect(Date.parse(row.hour as string)).toBe(start + h * HOUR);
      const want = expectedHour(h);
      for (const [k, v] of Object.entries(want)) expect({ k, v: row[k] }).toEqual({ k, v: expect.closeTo(v, 4) });
    });
  });

  test("KPIs of one cell, and a custom report by cell agree with the same figures", async () => {
    const cell = cells[1] as string;
    const one = (await (
      await operator.fetch(`/v1/markets/nyc/kpis?from=${iso(start)}&to=${iso(start + 6 * HOUR)}&bucket=hour&cell=${cell}`)
    ).json()) as {
      rows: Array<Record<string, number>>;
    };
    one.rows.forEach((row, h) => {
      expect(row.avgMultiplier as number).toBeCloseTo(expectedHour(h, cell).avgMultiplier, 6);
      expect(row.revenueAtSurge).toBe(expectedHour(h, cell).revenueAtSurge);
    });
    const report = await operator.json<{ rows: Array<Record<string, number | string>> }>("/v1/analytics/reports", {
      market: "nyc",
      from: iso(start),
      to: iso(start + 6 * HOUR),
      dimensions: ["cell"],
      metrics: ["quotes", "verified", "peakMultiplier"],
    });
    expect(report.status).toBe(200);
    for (const c of cells) {
      const row = report.body.rows.find((r) => r.cell === c);
      expect(row?.quotes).toBe(quotes.filter((q) => q.cell === c).length);
      expect(row?.verified).toBe(quotes.filter((q) => q.cell === c && q.verified).length);
      expect(row?.peakMultiplier as number).toBeCloseTo(Math.max(...minutes.filter((m) => m.cell === c).map((m) => m.peak)), 5);
    }
  });

  test("CSV export has a header and one line per bucket", async () => {
    const res = await operator.fetch(`/v1/markets/nyc/kpis?from=${iso(start)}&to=${iso(start + 6 * HOUR)}&bucket=day&format=csv`);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "day,avgMultiplier,peakMultiplier,avgSupply,avgDemand,ratio,quotes,verified,conversion,revenueAtSurge,revenueAtOne",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]?.split(",")[6]).toBe(String(quotes.length));
  });

  test("the map at a past minute lists the cells active then", async () => {
    const at = start + 90 * 60_000;
    const res = (await (await operator.fetch(`/v1/markets/nyc/heatmap/at?at=${iso(at + 20_000)}`)).json()) as {
      rows: Array<{ cell: string; multiplier: number }>;
    };
    const want = minutes.filter((m) => m.minute === at);
    expect(res.rows.map((r) => [r.cell, r.multiplier]).sort()).toEqual(want.map((m) => [m.cell, m.multiplier]).sort());
  });

  test("reports take only whitelisted names; bad ranges and unknown markets are problems", async () => {
    const bad: Array<[unknown, number]> = [
      [{ market: "nyc", from: iso(start), to: iso(start + HOUR), metrics: ["1; drop table quotes"] }, 422],
      [{ market: "nyc", from: iso(start), to: iso(start + HOUR), dimensions: ["market_id"], metrics: ["quotes"] }, 422],
      [{ market: "nyc", from: iso(start + HOUR), to: iso(start), metrics: ["quotes"] }, 422],
      [{ market: "nyc", from: iso(start), to: iso(start + 400 * 24 * HOUR), metrics: ["quotes"] }, 422],
      [{ market: "atlantis", from: iso(start), to: iso(start + HOUR), metrics: ["quotes"] }, 404],
    ];
    for (const [body, status] of bad) {
      // Each asked by an operator of the market it names: an unknown market is a 404 only to someone who may read it.
      const res = await p.as("operator", { markets: [(body as { market: string }).market] }).json("/v1/analytics/reports", body);
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await operator.fetch(`/v1/markets/nyc/kpis?from=yesterday&to=${iso(start)}`)).status).toBe(422);
  });
});
