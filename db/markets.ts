import { count, desc, eq, ne, sql } from "drizzle-orm";
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

/**
 * Archives a market: the next version carries `archivedAt`, so it is no longer priced, located or
 * counted as claiming its area; its history and versions stay. Saving it again (PUT) restores it.
 * Undefined for an unknown market; an archived one is answered as it is.
 */
export async function archiveMarket(db: PoolDatabase, id: string, at: Date): Promise<Market | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('markets'))`);
    const [row] = await tx.select({ body: markets.body }).from(markets).where(eq(markets.id, id));
    const current = row?.body as Market | undefined;
    if (!current || current.archivedAt) return current;
    const market: Market = {
      ...current,
      version: current.version + 1,
      updatedAt: at.toISOString(),
      archivedAt: at.toISOString(),
    };
    await tx.insert(marketVersions).values({ marketId: id, version: market.version, body: market, updatedAt: at });
    await tx.update(markets).set({ version: market.version, body: market, updatedAt: at }).where(eq(markets.id, id));
    return market;
  });
}

export type Deletion = { deleted: Market; versionsKept: number } | { refused: "unknown" | "active" };

/**
 * Deletes an archived market's configuration: it leaves the markets, its versions and every row
 * of its history stay (events, minutes, quotes, rollups keep its id). An active market is refused.
 */
export async function deleteMarket(db: PoolDatabase, id: string): Promise<Deletion> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('markets'))`);
    const [row] = await tx.select({ body: markets.body }).from(markets).where(eq(markets.id, id));
    const current = row?.body as Market | undefined;
    if (!current) return { refused: "unknown" };
    if (!current.archivedAt) return { refused: "active" };
    await tx.delete(markets).where(eq(markets.id, id));
    const [kept] = await tx.select({ n: count() }).from(marketVersions).where(eq(marketVersions.marketId, id));
    return { deleted: current, versionsKept: Number(kept?.n ?? 0) };
  });
}

export async function loadMarkets(db: PoolDatabase): Promise<Market[]> {
  const rows = await db.select({ body: markets.body }).from(markets);
  return rows.map((r) => r.body as Market);
}
