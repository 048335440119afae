import { DurableObject } from "cloudflare:workers";
import type { Market, MarketInput } from "../shared/market";

/**
 * The directory of markets: one object (named "directory") holding every market's
 * configuration, versioned. Workers keep a copy per isolate and ask `changedSince` every few
 * seconds; zone objects fetch their market when a call carries a newer version than theirs.
 */
export class MarketDirectory extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS markets (
      id TEXT PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL)`);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  }

  /** Creates or replaces a market; returns it with its new version and whether it is new. */
  put(id: string, input: MarketInput, counts: { cellCount: number; zoneCount: number }): { market: Market; created: boolean } {
    const sql = this.ctx.storage.sql;
    const previous = sql.exec<{ version: number }>("SELECT version FROM markets WHERE id = ?", id).toArray()[0];
    const version = this.#bump();
    const market: Market = { ...input, id, version, updatedAt: new Date().toISOString(), ...counts };
    sql.exec(
      "INSERT INTO markets (id, body, version, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = excluded.version, updated_at = excluded.updated_at",
      id,
      JSON.stringify(market),
      version,
      market.updatedAt,
    );
    return { market, created: previous === undefined };
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
