import { DurableObject } from "cloudflare:workers";
import type { Market } from "../shared/pricing/market";

/**
 * The directory of markets: one object (named "directory") caching every market's current
 * configuration, whose home is Postgres (`db/markets.ts`). Workers keep a copy per isolate and
 * ask `changedSince` every few seconds; zone objects fetch their market when a call carries a
 * newer version than theirs. Pricing reads only this cache, never Postgres.
 */
export class MarketDirectory extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS markets (
      id TEXT PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL)`);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  }

  /** Caches a market as saved in Postgres (a newer version replaces an older one, never the reverse). */
  put(market: Market): void {
    const sql = this.ctx.storage.sql;
    const written = sql.exec(
      `INSERT INTO markets (id, body, version, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE
       SET body = excluded.body, version = excluded.version, updated_at = excluded.updated_at WHERE excluded.version > markets.version`,
      market.id,
      JSON.stringify(market),
      market.version,
      market.updatedAt,
    ).rowsWritten;
    if (written > 0) this.#bump();
  }

  /** Fills an empty cache (a new deployment) from Postgres; a cache that has markets keeps them. */
  load(markets: Market[]): void {
    if (this.#version() > 0) return;
    for (const m of markets) this.put(m);
    if (this.#version() === 0) this.#bump();
  }

  /** Forgets a deleted market (its home, Postgres, has already let it go). */
  remove(id: string): void {
    if (this.ctx.storage.sql.exec("DELETE FROM markets WHERE id = ?", id).rowsWritten > 0) this.#bump();
  }

  get(id: string): Market | null {
    const row = this.ctx.storage.sql.exec<{ body: string }>("SELECT body FROM markets WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.body) as Market) : null;
  }

  list(): Market[] {
    return this.ctx.storage.sql
      .exec<{ body: string }>("SELECT body FROM markets ORDER BY id")
      .toArray()
      .map((r) => JSON.parse(r.body) as Market);
  }

  /** Every market, if anything changed since `version`; null otherwise (the cheap, common answer). */
  changedSince(version: number): { version: number; markets: Market[] } | null {
    const current = this.#version();
    return current === version ? null : { version: current, markets: this.list() };
  }

  #version(): number {
    const row = this.ctx.storage.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'version'").toArray()[0];
    return row?.value ?? 0;
  }

  #bump(): number {
    const next = this.#version() + 1;
    this.ctx.storage.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      next,
    );
    return next;
  }
}
