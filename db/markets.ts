import { desc, eq, sql } from "drizzle-orm";
import type { Market, MarketInput } from "../shared/market";
import type { PoolDatabase } from "./client";
import { markets, marketVersions } from "./schema";

/**
 * Markets' home: the current configuration and every earlier one. A save takes the next version
 * of that market in one transaction, so two concurrent edits cannot share a version.
 */
export async function saveMarket(
  db: PoolDatabase,
  id: string,
  input: MarketInput,
  counts: { cellCount: number; zoneCount: number },
): Promise<{ market: Market; created: boolean }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`market:${id}`}))`);
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
