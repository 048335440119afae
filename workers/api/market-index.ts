import { openPool } from "../../db/client";
import { loadMarkets } from "../../db/markets";
import type { Market } from "../../shared/market";
import { MarketIndex } from "../../shared/zoning";

/**
 * Each isolate keeps every market, indexed for point lookup, and asks the directory whether
 * anything changed at most every `REFRESH_MS`. A market edit is visible to other isolates within
 * that time; the isolate that made the edit sees it at once.
 */
const REFRESH_MS = 2_000;

interface Cached {
  version: number;
  index: MarketIndex;
  checkedAt: number;
}

let cached: Cached | undefined;

export function directory(env: Env) {
  return env.MARKETS.getByName("directory");
}

/** The markets as this isolate knows them, refreshed when stale. */
export async function marketIndex(env: Env): Promise<MarketIndex> {
  const now = Date.now();
  if (cached && now - cached.checkedAt < REFRESH_MS) return cached.index;
  // Each request refreshes for itself: a promise holding another request's I/O may not be awaited
  // here ("Cannot perform I/O on behalf of a different request"). The check is one cheap RPC.
  return (await refresh(env, cached)).index;
}

/** Drops the cached copy, e.g. right after this isolate changed a market. */
export function forgetMarkets(): void {
  cached = undefined;
}

async function refresh(env: Env, previous: Cached | undefined): Promise<Cached> {
  let changed = await directory(env).changedSince(previous?.version ?? -1);
  if (changed?.version === 0) {
    // A new deployment: the directory is empty until it is filled from the markets' home.
    const markets = await fromPostgres(env);
    if (markets) {
      await directory(env).load(markets);
      changed = await directory(env).changedSince(-1);
    }
  }
  const next: Cached = changed
    ? { version: changed.version, index: new MarketIndex(changed.markets as Market[]), checkedAt: Date.now() }
    : { ...(previous as Cached), checkedAt: Date.now() };
  cached = next;
  return next;
}

/** Every market from Postgres, or undefined when it cannot answer (pricing then waits for it). */
async function fromPostgres(env: Env): Promise<Market[] | undefined> {
  const { pool, db } = openPool(env);
  try {
    return await loadMarkets(db);
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", message: "could not load markets from Postgres", error: String(err) }));
    return undefined;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
