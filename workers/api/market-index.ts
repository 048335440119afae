import { openPool } from "../../db/client";
import { loadMarkets } from "../../db/markets";
import { directoryStub } from "../../shared/contracts/objects";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import type { Market } from "../../shared/pricing/market";
import { MarketIndex } from "../../shared/pricing/zoning";

/**
 * Each isolate keeps every market, indexed for point lookup, and asks the directory whether
 * anything changed once its copy is 2 s old. A market edit is visible to other isolates within
 * that time; the isolate that made the edit sees it at once.
 */
interface Cached {
  version: number;
  index: MarketIndex;
}

const MARKETS = "markets";
/** One copy of every market; good for 2 s, then the stale copy is what the directory is asked about. */
const copies = new ExpiringMap<typeof MARKETS, Cached>({ maxEntries: 1, ttlMs: 2_000 });

/** The markets as this isolate knows them, refreshed when stale. */
export async function marketIndex(env: Env): Promise<MarketIndex> {
  const fresh = copies.get(MARKETS);
  if (fresh) return fresh.index;
  // Each request refreshes for itself: a promise holding another request's I/O may not be awaited
  // here ("Cannot perform I/O on behalf of a different request"). The check is one cheap RPC.
  return (await refresh(env, copies.stale(MARKETS))).index;
}

/** Drops the cached copy, e.g. right after this isolate changed a market. */
export function forgetMarkets(): void {
  copies.clear();
}

async function refresh(env: Env, previous: Cached | undefined): Promise<Cached> {
  let changed = await directoryStub(env).changedSince(previous?.version ?? -1);
  if (changed?.version === 0) {
    // A new deployment: the directory is empty until it is filled from the markets' home.
    const markets = await fromPostgres(env);
    if (markets) {
      await directoryStub(env).load(markets);
      changed = await directoryStub(env).changedSince(-1);
    }
  }
  const next: Cached = changed
    ? { version: changed.version, index: new MarketIndex(changed.markets as Market[]) }
    : (previous as Cached);
  copies.set(MARKETS, next);
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
