import { REBUILD_ROLLUPS } from "../db/rollups";
import { demandEvents } from "../harness/fixtures";
import { psql } from "../scripts/postgres";
import { type Cell, MARKET_ID, putBenchMarket, startBenchPlatform } from "./platform";
import { log } from "./report";
import { p50p99, sleep } from "./stats";

/**
 * History's two paths:
 *  - writes: events accepted at the edge until they are rows in Postgres — zone outbox, history
 *    queue, the analytics consumer's batched idempotent inserts — in rows per second;
 *  - reads: a month of one market's per-minute surge (generated in SQL, half the cells active in
 *    any minute) and quotes, with their rollups, then the month's daily and hourly KPIs through
 *    the API.
 */
export interface AnalyticsResult {
  events: number;
  writeSeconds: number;
  rowsPerSec: number;
  monthRows: { surgeMinutes: number; quotes: number };
  kpiDailyMs: { p50: number; max: number };
  kpiHourlyMs: { p50: number; max: number };
}

export async function measureAnalytics(options: { events: number; days: number; queries: number }): Promise<AnalyticsResult> {
  const bench = await startBenchPlatform("analytics");
  try {
    const p = bench.platform;
    const cells = await putBenchMarket(p);
    const db = p.database;
    const count = () => Number(psql(db.target, db.name, "select count(*) from events"));

    // Writes: as fast as the edge takes them, then wait for the last row.
    log(`analytics: ${options.events} events through the edge into Postgres`);
    const started = performance.now();
    let sent = 0;
    const senders = Array.from({ length: 4 }, async (_, worker) => {
      for (let b = worker; b * 1000 < options.events; b += 4) {
        const cell = cells[b % cells.length] as Cell;
        const events = demandEvents({ lat: cell.lat, lng: cell.lng }, Math.min(1000, options.events - b * 1000));
        const res = await bench.partner.json<{ accepted: number }>("/v1/events/demand", { events });
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
        sent += res.body.accepted;
      }
    });
    await Promise.all(senders);
    while (count() < sent) await sleep(100);
    const writeSeconds = (performance.now() - started) / 1000;
    log(`analytics: ${sent} rows in ${writeSeconds.toFixed(1)} s`);

    // Reads: a month of history, made in SQL (the write path is measured above), then KPIs.
    const start = new Date(Date.UTC(2026, 9, 1));
    const end = new Date(start.getTime() + options.days * 86_400_000);
    const cellList = cells.map((c) => `'${c.cell}'`).join(",");
    log(`analytics: generating ${options.days} days of per-minute history for ${cells.length} cells`);
    psql(
      db.target,
      db.name,
      `insert into surge_minutes (market_id, cell, minute, zone, supply, demand, multiplier, peak_multiplier)
       select '${MARKET_ID}', c, m, 'z', floor(random() * 12), random() * 30, 1 + floor(random() * 15) / 10, 1 + floor(random() * 20) / 10
       from unnest(array[${cellList}]) as c, generate_series('${start.toISOString()}'::timestamptz, '${end.toISOString()}'::timestamptz - interval '1 minute', interval '1 minute') as m
       where random() < 0.5`,
    );
    psql(
      db.target,
      db.name,
      `insert into quotes (quote_id, market_id, product, cell, zone, currency, multiplier_tenths, total, total_at_one, issued_at, expires_at, verified_at)
       select 'qb_' || i, '${MARKET_ID}', 'standard', (array[${cellList}])[1 + i % ${cells.length}], 'z', 'USD', 10 + i % 15, 2000 + i % 3000, 2000, t, t + interval '5 minutes',
              case when i % 3 = 0 then t + interval '1 minute' end
       from generate_series(1, ${options.days * 10_000}) as i, lateral (select '${start.toISOString()}'::timestamptz + (i * interval '1 second' * ${(options.days * 86_400) / (options.days * 10_000)})) as x(t)`,
    );
    // Generated around the history writer: its rollups are summed from the raw rows once.
    psql(db.target, db.name, REBUILD_ROLLUPS);
    psql(db.target, db.name, "analyze");
    const monthRows = {
      surgeMinutes: Number(psql(db.target, db.name, "select count(*) from surge_minutes")),
      quotes: Number(psql(db.target, db.name, "select count(*) from quotes")),
    };
    const time = async (bucket: string) => {
      const samples: number[] = [];
      for (let i = 0; i < options.queries; i++) {
        const t0 = performance.now();
        const res = await bench.operator.fetch(
          `/v1/markets/${MARKET_ID}/kpis?from=${start.toISOString()}&to=${end.toISOString()}&bucket=${bucket}`,
        );
        if (res.status !== 200) throw new Error(`KPIs answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        samples.push(performance.now() - t0);
      }
      const pc = p50p99(samples);
      return { p50: pc.p50, max: Math.max(...samples) };
    };
    const kpiDailyMs = await time("day");
    const kpiHourlyMs = await time("hour");
    log(
      `analytics: ${monthRows.surgeMinutes} cell-minutes; KPIs by day p50 ${kpiDailyMs.p50.toFixed(0)} ms, by hour ${kpiHourlyMs.p50.toFixed(0)} ms`,
    );
    return { events: sent, writeSeconds, rowsPerSec: sent / writeSeconds, monthRows, kpiDailyMs, kpiHourlyMs };
  } finally {
    await bench.dispose();
  }
}
