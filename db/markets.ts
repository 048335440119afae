import { desc, eq, ne, sql } from "drizzle-orm";
import type { Market, MarketInput } from "../shared/pricing/market";
import type { PoolDatabase } from "./client";
import { markets, marketVersions } from "./schema";

/**
 * Markets' home: the current configuration and every earlier one. Saves take one lock, so two
 * concurrent edits cannot share a version, nor both pass `refuse` (e.g. two new markets that
 * overlap each other, saved at once from two isolates).
 */
export type SaveResult<R> = { market: Market; created: boolean; refused?: undefined } | { refused: R };

/**
 * Saves the next version of a market, unless `refuse` (given every other market, read under the
 * lock) answers a reason not to; then nothing is written and the reason comes back.
 */
export async function saveMarket<R>(
  db: PoolDatabase,
  id: string,
  input: MarketInput,
  counts: { cellCount: number; zoneCount: number },
  refuse: (others: Market[]) => R | undefined = () => undefined,
): Promise<SaveResult<R>> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('markets'))`);
    const others = await tx.select({ body: markets.body }).from(markets).where(ne(markets.id, id));
    const refused = refuse(others.map((r) => r.body as Market));
    if (refused !== undefined) return { refused };
    const [last] = await tx
      .select({ version: marketVersions.version })
      .from(marketVersions)
      .where(eq(marketVersions.marketId, id))
      .orderBy(desc(marketVersions.version))
      .limit(1);
    const version = (last?.version ?? 0) + 1;
    const updatedAt = new Date();
    const market: Market = { ...input, id, version, updatedAt: updatedAt.toISOString(), ...counts };
    await tx.insert(marketVersions).values({ marketId: id, version, body: market, updatedAt });
    await tx
      .insert(markets)
      .values({ id, version, body: market, updatedAt })
      .onConflictDoUpdate({ target: markets.id, set: { version, body: market, updatedAt } });
    return { market, created: last === undefined };
  });
}

export async function loadMarkets(db: PoolDatabase): Promise<Market[]> {
  const rows = await db.select({ body: markets.body }).from(markets);
  return rows.map((r) => r.body as Market);
}
