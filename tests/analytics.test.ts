import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cellToParent } from "h3-js";
import { kpiSources } from "../db/analytics";
import { openPool } from "../db/client";
import { writeHistory } from "../db/history";
import { neonEnv } from "../harness/bridges";
import { cellAt, demoMarket, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";
import type { HistoryMessage } from "../shared/contracts/history";

/**
 * KPIs checked against figures computed here, independently, from the same generated history:
 * six hours of per-minute surge in three cells and a few hundred quotes, some verified, and three
 * more hours across the next midnight. The history reaches Postgres the way the writer meets it
 * in production: in batches written at the same time, some delivered twice, some minutes first as
 * an earlier draft — and the rollups must still equal sums of the final rows.
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
/** Per-minute surge in every cell from `from`, for `hours`, most cells active most minutes. */
function generateMinutes(from: number, hours: number) {
  for (const cell of cells) {
    for (let m = 0; m < hours * 60; m++) {
      if (rnd() < 0.3) continue; // not every cell is active every minute
      const multiplier = 1 + Math.floor(rnd() * 15) / 10;
      minutes.push({
        cell,
        minute: from + m * 60_000,
        supply: Math.floor(rnd() * 12),
        demand: Math.round(rnd() * 300) / 10,
        multiplier,
        peak: multiplier + Math.floor(rnd() * 3) / 10,
      });
    }
  }
}
/** `n` quotes issued between `from` and `from + hours`. */
function generateQuotes(prefix: string, n: number, from: number, hours: number): Quote[] {
  return Array.from({ length: n }, (_, i) => {
    const tenths = 10 + Math.floor(rnd() * 12);
    const atOne = 900 + Math.floor(rnd() * 4000);
    return {
      id: `${prefix}_${i}`,
      cell: cells[i % 3] as string,
      issuedAt: from + Math.floor(rnd() * hours * HOUR),
      tenths,
      total: Math.round((atOne * tenths) / 10),
      atOne,
      verified: rnd() < 0.4,
    };
  });
}
generateMinutes(start, 6);
/** Nov 21 23:00 to Nov 22 02:00 UTC: across a midnight, a whole day after the first six hours. */
const later = start + 41 * HOUR;
generateMinutes(later, 3);
/** Nov 23 10:00 to 11:00: an hour written minute by minute by eight writers at once. */
const crowded = start + 76 * HOUR;
generateMinutes(crowded, 1);
const quotes: Quote[] = [...generateQuotes("q_kpi", 300, start, 6), ...generateQuotes("q_late", 120, later, 3)];

/** Figures of [from, to) (and one cell, or one zone) computed from the generated rows. */
function expected(from: number, to: number, only: { cell?: string; zone?: string } = {}) {
  const mine = (cell: string) => (!only.cell || cell === only.cell) && (!only.zone || zoneOf(cell) === only.zone);
  const ms = minutes.filter((m) => m.minute >= from && m.minute < to && mine(m.cell));
  const qs = quotes.filter((q) => q.issuedAt >= from && q.issuedAt < to && mine(q.cell));
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

const zoneOf = (cell: string) => cellToParent(cell, 6);

function expectedHour(h: number, cell?: string) {
  return expected(start + h * HOUR, start + (h + 1) * HOUR, { cell });
}

test("the generated cells are distinct", () => expect(new Set(cells).size).toBe(3));

let p: Platform;
/** Analytics are read by the market's operator. */
let operator: Client;
beforeAll(async () => {
  p = await startPlatform();
  operator = p.as("operator", { markets: ["nyc"] });
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  const surge = (ms: Minute[]): HistoryMessage[] =>
    cells.map((cell) => ({
      type: "surge",
      market: "nyc",
      zone: zoneOf(cell),
      minutes: ms
        .filter((m) => m.cell === cell)
        .map((m) => ({
          cell,
          minute: m.minute,
          supply: m.supply,
          demand: m.demand,
          multiplier: m.multiplier,
          peakMultiplier: m.peak,
        })),
    }));
  const messages: HistoryMessage[] = [
    // Each cell's minutes in hour-long messages, as a zone sends them minute by minute.
    ...Array.from({ length: 50 }, (_, h) =>
      surge(minutes.filter((m) => m.minute >= start + h * HOUR && m.minute < start + (h + 1) * HOUR)),
    ).flat(),
    ...quotes.map(
      (q): HistoryMessage => ({
        type: "quote",
        quote: {
          quoteId: q.id,
          market: "nyc",
          product: "standard",
          cell: q.cell,
          zone: zoneOf(q.cell),
          currency: "USD",
          multiplierTenths: q.tenths,
          total: q.total,
          totalAtOne: q.atOne,
          issuedAt: q.issuedAt,
          expiresAt: q.issuedAt + 300_000,
        },
      }),
    ),
    // Verifications: some twice, and in another batch than their quote (which may come later).
    ...quotes
      .filter((q) => q.verified)
      .flatMap((q, i): HistoryMessage[] => {
        const once: HistoryMessage = { type: "verified", quoteId: q.id, at: q.issuedAt + 60_000 };
        return i % 4 === 0 ? [once, { ...once, at: q.issuedAt + 90_000 }] : [once];
      }),
  ].filter((m) => m.type !== "surge" || m.minutes.length > 0);
  // A zone may send a minute again with what it saw later: every tenth minute first as a draft
  // (lower peak, other counts); the final one, sent after it, is what counts.
  const drafts = surge(
    minutes
      .filter((_, i) => i % 10 === 0)
      .map((m) => ({ ...m, supply: m.supply + 5, demand: m.demand / 2, multiplier: 1, peak: 1 })),
  );
  const thirds = [0, 1, 2].map((k) => messages.filter((_, i) => i % 3 === k));
  const [a = [], b = [], c = []] = thirds;
  const env = await neonEnv(p.database.url);
  const writers = Array.from({ length: 8 }, () => openPool(env));
  const [one, two] = writers.map((w) => w.db);
  if (!one || !two) throw new Error("no pools");
  try {
    await writeHistory(one, drafts);
    // Every writer recomputes the same hour's sums while the others change its minutes.
    const byMinute = Array.from({ length: 60 }, (_, m) => surge(minutes.filter((x) => x.minute === crowded + m * 60_000)));
    await Promise.all(
      writers.map(async ({ db }, w) => {
        for (let m = w; m < 60; m += writers.length) await writeHistory(db, byMinute[m] ?? []);
      }),
    );
    // Two writers at once, as concurrent consumers are; then the rest.
    await Promise.all([writeHistory(one, a), writeHistory(two, b)]);
    await writeHistory(one, c);
    // Redeliveries, again at the same time: a batch of two earlier ones, and one as it was.
    await Promise.all([writeHistory(one, [...c, ...a]), writeHistory(two, b)]);
    await writeHistory(one, messages.slice(0, 50));
  } finally {
    await Promise.all(writers.map((w) => w.pool.end()));
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
      const want = expected(start, start + 6 * HOUR, { cell: c });
      expect(row?.quotes).toBe(want.quotes);
      expect(row?.verified).toBe(want.verified);
      expect(row?.peakMultiplier as number).toBeCloseTo(want.peakMultiplier, 5);
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
    expect(lines[1]?.split(",")[6]).toBe(String(expected(start, start + 6 * HOUR).quotes));
  });

  test("rollups equal sums of the final rows, though batches came twice, at once, and minutes first as drafts", () => {
    const db = p.database;
    const read = (query: string) =>
      psql(db.target, db.name, query)
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("|"));
    const HOURLY =
      "cell_minutes, multiplier_sum, supply_sum, demand_sum, peak_multiplier, quotes, verified, revenue_at_surge, revenue_at_one";
    // What each rollup row must hold, from the generated rows (not from Postgres' own tables), in HOURLY's order.
    const want = (key: (t: number, cell: string) => string) => {
      const out = new Map<string, number[]>();
      const add = (k: string, values: number[], peak?: number) => {
        const r = out.get(k) ?? [0, 0, 0, 0, Number.NEGATIVE_INFINITY, 0, 0, 0, 0];
        out.set(
          k,
          r.map((x, i) => (i === 4 ? Math.max(x, peak ?? x) : x + (values[i] ?? 0))),
        );
      };
      for (const m of minutes) add(key(m.minute, m.cell), [1, m.multiplier, m.supply, m.demand], m.peak);
      for (const q of quotes)
        add(key(q.issuedAt, q.cell), [0, 0, 0, 0, 0, 1, ...(q.verified ? [1, q.total, q.atOne] : [0, 0, 0])]);
      return out;
    };
    const hourOf = (t: number) => Math.floor(t / HOUR) * HOUR;
    const dayOf = (t: number) => Math.floor(t / (24 * HOUR)) * 24 * HOUR;
    const levels = [
      {
        rows: read(`select cell, zone, extract(epoch from hour) * 1000, ${HOURLY} from cell_hours where market_id = 'nyc'`),
        want: want((t, cell) => `${cell}|${zoneOf(cell)}|${hourOf(t)}`),
        key: 3,
      },
      {
        rows: read(`select extract(epoch from hour) * 1000, ${HOURLY} from market_hours where market_id = 'nyc'`),
        want: want((t) => String(hourOf(t))),
        key: 1,
      },
      {
        rows: read(`select extract(epoch from day) * 1000, ${HOURLY} from market_days where market_id = 'nyc'`),
        want: want((t) => String(dayOf(t))),
        key: 1,
      },
    ];
    for (const level of levels) {
      const got = new Map(
        level.rows.map((r) => [
          r
            .slice(0, level.key)
            .map((x) => String(Number(x) || x))
            .join("|"),
          // A row of quotes only has no peak: -Infinity, as the sums computed here say it.
          r.slice(level.key).map((x) => (x === "" ? Number.NEGATIVE_INFINITY : Number(x))),
        ]),
      );
      expect([...got.keys()].sort()).toEqual([...level.want.keys()].sort());
      for (const [k, w] of level.want) {
        const g = got.get(k) as number[];
        // Counts and money exactly; sums of Postgres' four-byte reals closely.
        for (const i of [0, 5, 6, 7, 8]) expect({ k, i, v: g[i] }).toEqual({ k, i, v: w[i] });
        for (const i of [1, 2, 3]) expect({ k, i, v: g[i] }).toEqual({ k, i, v: expect.closeTo(w[i] as number, 3) });
        const peak = w[4] as number;
        expect({ k, peak: g[4] }).toEqual({ k, peak: Number.isFinite(peak) ? expect.closeTo(peak, 5) : peak });
      }
    }
    expect(levels[2]?.rows).toHaveLength(4); // Nov 20, 21, 22 and 23
  });

  test("KPIs of ranges that do not start or end on the hour or the day add the raw ends to the rollups", async () => {
    const cases: Array<{ from: number; to: number; bucket: "hour" | "day"; only?: { cell?: string; zone?: string } }> = [
      { from: start + 30 * 60_000, to: start + 4 * HOUR + 45 * 60_000, bucket: "hour" },
      {
        from: start + 17 * 60_000,
        to: start + 3 * HOUR + 5 * 60_000,
        bucket: "hour",
        only: { zone: zoneOf(cells[0] as string) },
      },
      // Nov 20 06:30 → Nov 22 01:30: a raw half hour, hours to midnight, the whole of Nov 21, hours, a raw half hour.
      { from: start + 30 * 60_000, to: later + 2.5 * HOUR, bucket: "day" },
      { from: start + 30 * 60_000, to: later + 2.5 * HOUR, bucket: "day", only: { cell: cells[2] as string } },
      { from: start + 10 * 60_000, to: start + 50 * 60_000, bucket: "hour" },
    ];
    for (const { from, to, bucket, only = {} } of cases) {
      const filter = only.cell ? `&cell=${only.cell}` : only.zone ? `&zone=${only.zone}` : "";
      const res = await operator.fetch(`/v1/markets/nyc/kpis?from=${iso(from)}&to=${iso(to)}&bucket=${bucket}${filter}`);
      expect(res.status).toBe(200);
      const rows = ((await res.json()) as { rows: Array<Record<string, number | string>> }).rows;
      const size = bucket === "hour" ? HOUR : 24 * HOUR;
      const buckets = [
        ...new Set(minutes.filter((m) => m.minute >= from && m.minute < to).map((m) => Math.floor(m.minute / size) * size)),
      ];
      expect(rows.map((r) => Date.parse(r[bucket] as string))).toEqual(buckets.sort((x, y) => x - y));
      for (const row of rows) {
        const at = Date.parse(row[bucket] as string);
        const want = expected(Math.max(from, at), Math.min(to, at + size), only);
        for (const [k, v] of Object.entries(want)) {
          const got: Record<string, unknown> = { bucket, at: iso(at), k, v: row[k] };
          // No minutes (or no quotes) in a bucket: its averages (or its conversion) are null.
          expect(got).toEqual({ bucket, at: iso(at), k, v: Number.isFinite(v) ? expect.closeTo(v, 4) : null });
        }
      }
    }
  });

  test("a range is read from rollups for its whole days and hours, from raw rows only at its ragged ends", () => {
    const t = (s: string) => Date.parse(s);
    expect(kpiSources(t("2026-11-01T10:30:00Z"), t("2026-11-03T01:15:00Z"), "day", false)).toEqual([
      { source: "raw", from: t("2026-11-01T10:30:00Z"), to: t("2026-11-01T11:00:00Z") },
      { source: "hours", from: t("2026-11-01T11:00:00Z"), to: t("2026-11-02T00:00:00Z") },
      { source: "days", from: t("2026-11-02T00:00:00Z"), to: t("2026-11-03T00:00:00Z") },
      { source: "hours", from: t("2026-11-03T00:00:00Z"), to: t("2026-11-03T01:00:00Z") },
      { source: "raw", from: t("2026-11-03T01:00:00Z"), to: t("2026-11-03T01:15:00Z") },
    ]);
    // A month of whole days is one read of the daily rollup; of one cell, of its hours.
    const month = [t("2026-10-01T00:00:00Z"), t("2026-10-31T00:00:00Z")] as const;
    expect(kpiSources(month[0], month[1], "day", false)).toEqual([{ source: "days", from: month[0], to: month[1] }]);
    expect(kpiSources(month[0], month[1], "day", true)).toEqual([{ source: "hours", from: month[0], to: month[1] }]);
    expect(kpiSources(month[0], month[1], "minute", false)).toEqual([{ source: "raw", from: month[0], to: month[1] }]);
    // Within one hour: raw only.
    expect(kpiSources(t("2026-11-01T10:10:00Z"), t("2026-11-01T10:50:00Z"), "hour", false)).toEqual([
      { source: "raw", from: t("2026-11-01T10:10:00Z"), to: t("2026-11-01T10:50:00Z") },
    ]);
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
