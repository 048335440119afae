import type { SQL } from "drizzle-orm";
import { cellToLatLng } from "h3-js";
import { httpDatabase, openPool, type PoolDatabase } from "../../db/client";
import {
  calendarSql,
  demandSql,
  entryOf,
  forecastSql,
  liveModelsSql,
  panelOf,
  type RegisteredModel,
  registerTraining,
  supplySql,
} from "../../db/forecasts";
import { zoneStub } from "../../shared/contracts/objects";
import { calendarFeatures } from "../../shared/forecast/calendar";
import { type HotspotForecast, rankHotspots } from "../../shared/forecast/hotspots";
import type { ModelSpec } from "../../shared/forecast/model";
import { AHEAD_INTERVALS, type CellForecasts, type TrainingOutcome, train } from "../../shared/forecast/train";
import type { Market } from "../../shared/pricing/market";
import { type ForecastInput, forecastInputs } from "../../shared/pricing/policy";
import type { SourceInputs } from "../../shared/pricing/zone-state";
import { zoneOf } from "../../shared/pricing/zoning";
import { keepRecord } from "./ledger";
import { marketIndex } from "./market-index";

/**
 * Training a market, wired to the world: its history and calendar from Postgres, `train` (pure,
 * `shared/forecast/train.ts`), the registry and forecasts back to Postgres, and the forecasts
 * pushed to the market's zones as pricing inputs — so a zone reads its cells' expected demand
 * from memory and never waits on a database. Both the train route and the cron come here.
 */

export const INTERVAL_MINUTES = 15;
const WEEK_MS = 7 * 86_400_000;
/** History a training reads, by default: eight weeks (two of them held out). */
export const DEFAULT_WEEKS = 8;
/** The pricing input's source name in a zone. */
export const FORECAST_SOURCE = "forecast";

/** How a caller reaches Postgres: reads (HTTP) and a pooled write. */
export interface ForecastDatabase {
  read(query: SQL): Promise<Record<string, unknown>[]>;
  write<T>(work: (db: PoolDatabase) => Promise<T>): Promise<T>;
}

/** Postgres straight from the bindings (the cron's way; routes pass their guarded helpers). */
export function plainDatabase(env: Env): ForecastDatabase {
  return {
    read: async (query) => (await httpDatabase(env).execute(query)).rows as Record<string, unknown>[],
    write: async (work) => {
      const { pool, db } = openPool(env);
      try {
        return await work(db);
      } finally {
        await pool.end().catch(() => undefined);
      }
    },
  };
}

export interface Training {
  outcome: TrainingOutcome;
  models: RegisteredModel[];
  live: RegisteredModel;
  zones: number;
}

/**
 * Fits, backtests and registers a market's models on the `weeks` before the last whole interval,
 * stores the live model's forecasts and pushes them to the zones.
 */
export async function trainMarket(
  env: Env,
  db: ForecastDatabase,
  market: Market,
  options: { weeks?: number; now?: number; candidates?: readonly ModelSpec[] } = {},
): Promise<Training> {
  const interval = INTERVAL_MINUTES * 60_000;
  const now = options.now ?? Date.now();
  const to = Math.floor(now / interval) * interval;
  const from = to - (options.weeks ?? DEFAULT_WEEKS) * WEEK_MS;
  const cells = [...((await marketIndex(env)).cellsOf(market.id) ?? [])].sort();
  const [demand, calendar, supply] = await Promise.all([
    db.read(demandSql(market.id, from, to, INTERVAL_MINUTES, market.surge.searchWeight)),
    db.read(calendarSql(market.id, { from, to: to + AHEAD_INTERVALS * interval })),
    db.read(supplySql(market.id, to, AHEAD_INTERVALS, INTERVAL_MINUTES)),
  ]);
  const panel = panelOf(demand, cells, from, to, INTERVAL_MINUTES);
  const features = calendarFeatures(calendar.map(entryOf), cells, from, panel.steps + AHEAD_INTERVALS, INTERVAL_MINUTES);
  const outcome = train(panel, { calendar: features, candidates: options.candidates });
  const expectedSupply = new Map<string, Float32Array>();
  for (const row of supply) {
    const cell = String(row.cell);
    let s = expectedSupply.get(cell);
    if (!s) {
      s = new Float32Array(AHEAD_INTERVALS);
      expectedSupply.set(cell, s);
    }
    s[Number(row.step)] = Number(row.supply);
  }
  const models = await db.write((pool) => registerTraining(pool, market.id, outcome, now, expectedSupply));
  const live = models.find((m) => m.live) as RegisteredModel;
  const zones = await pushForecasts(env, market, outcome.forecast, live.modelId);
  await publishHotspots(env, db, market, live.modelId, now);
  return { outcome, models, live, zones };
}

/** Stored forecast points (`forecastSql`'s rows, ordered by cell and time) as each cell's forecast to rank. */
export function hotspotForecasts(points: ReadonlyArray<Record<string, unknown>>): HotspotForecast[] {
  const byCell = new Map<string, HotspotForecast & { demand: number[]; supply: number[] }>();
  for (const r of points) {
    const cell = String(r.cell);
    const f = byCell.get(cell) ?? { cell, from: Number(r.at), intervalMinutes: INTERVAL_MINUTES, demand: [], supply: [] };
    f.demand.push(Number(r.demand));
    if (r.supply !== null && r.supply !== undefined) f.supply.push(Number(r.supply));
    byCell.set(cell, f);
  }
  return [...byCell.values()];
}

/** How far ahead the hotspots a training publishes look ("where will demand be in 30 minutes"). */
export const HOTSPOT_HORIZON_MINUTES = 30;
/** Cells a publication names at most. */
const HOTSPOTS_PUBLISHED = 10;

/**
 * Tells drivers subscribed to the market's hotspots where demand is expected to outrun drivers,
 * ranked exactly as `GET …/hotspots` ranks the stored forecast, through a ledger shard's outbox
 * to the notifications worker. Nothing short: nothing published. A failure is logged: the
 * training stands.
 */
async function publishHotspots(env: Env, db: ForecastDatabase, market: Market, modelId: string, now: number): Promise<void> {
  try {
    const horizon = HOTSPOT_HORIZON_MINUTES;
    const points = await db.read(forecastSql(market.id, null, now, now + horizon * 60_000, INTERVAL_MINUTES));
    const cells = rankHotspots(hotspotForecasts(points), market.surge, now, horizon, HOTSPOTS_PUBLISHED).map((h) => {
      const [lat, lng] = cellToLatLng(h.cell);
      return { ...h, lat: Math.round(lat * 1e5) / 1e5, lng: Math.round(lng * 1e5) / 1e5 };
    });
    if (cells.length === 0) return;
    await keepRecord(
      env,
      { type: "hotspots", market: market.id, modelId, horizonMinutes: horizon, at: now, cells },
      undefined,
      "notifications",
    );
  } catch (err) {
    console.error(
      JSON.stringify({ level: "warn", message: "hotspots not published", market: market.id, error: String(err).slice(0, 300) }),
    );
  }
}

/**
 * Each zone gets its cells' forecasts (cells expecting nothing are left out), valid until the
 * forecasts end. A zone that cannot be reached now gets the next training's.
 */
export async function pushForecasts(env: Env, market: Market, forecast: CellForecasts, modelId: string): Promise<number> {
  const until = forecast.from + (forecast.demand[0]?.length ?? 0) * forecast.intervalMinutes * 60_000;
  const byZone = new Map<string, Record<string, { forecast: ForecastInput }>>();
  for (const [cell, input] of Object.entries(forecastInputs(forecast, market.surge.predictive.horizonMinutes, modelId))) {
    const zone = zoneOf(cell, market.zoneResolution);
    const cells = byZone.get(zone) ?? {};
    cells[cell] = input;
    byZone.set(zone, cells);
  }
  const ref = { id: market.id, version: market.version };
  const results = await Promise.allSettled(
    [...byZone].map(([zone, cells]) => {
      const inputs: SourceInputs = { cells, until };
      return zoneStub(env, market.id, zone).setInputs(ref, zone, FORECAST_SOURCE, inputs);
    }),
  );
  return results.filter((r) => r.status === "fulfilled").length;
}

/**
 * The cron's part: every market whose live model is older than `everyMs` (or that has none but
 * has history) is trained again, one after another. Failures are logged, never thrown: pricing
 * goes on with the forecasts it has until they end.
 */
export async function trainDueMarkets(env: Env, everyMs: number, now = Date.now()): Promise<void> {
  const db = plainDatabase(env);
  const index = await marketIndex(env);
  const live = new Map(
    (await db.read(liveModelsSql())).map((r) => [String(r.market_id), new Date(String(r.trained_at)).getTime()]),
  );
  for (const market of index.markets) {
    const last = live.get(market.id);
    if (last !== undefined && now - last < everyMs) continue;
    try {
      const t = await trainMarket(env, db, market, { now });
      console.log(
        JSON.stringify({ level: "info", message: "forecast trained", market: market.id, live: t.live.modelId, zones: t.zones }),
      );
    } catch (err) {
      console.log(
        JSON.stringify({
          level: "warn",
          message: "forecast training failed",
          market: market.id,
          error: String(err).slice(0, 300),
        }),
      );
    }
  }
}
