import { DurableObject } from "cloudflare:workers";
import type { FailureEvent, HistoryMessage } from "../shared/history";
import { geofenceCells, zoneKey, zoneOf } from "../shared/zoning";

/**
 * The system's mode: one object (named "system") that hears how the dependencies are doing —
 * from the probes a cron trigger runs and from the Workers' circuit breakers — and holds the
 * operators' overrides.
 *
 *   normal     every dependency answers
 *   degraded   a dependency is failing: pricing goes on (see README), what needs it waits or is refused
 *   emergency  (per market) an operator declared one: a cap on multipliers in the market or some cells
 *
 * Every change is persisted here, logged as a failure event (through the history queue, so it
 * waits while Postgres is down), and pushed to the live subscribers of the markets concerned.
 */

export type Mode = "normal" | "degraded" | "emergency";
export type DependencyName = "postgres" | "redis" | "queue" | "zones";
export const DEPENDENCIES: DependencyName[] = ["postgres", "redis", "queue", "zones"];

export interface DependencyHealth {
  status: "ok" | "failing" | "unknown";
  since: string | null;
  lastError: string | null;
  latencyMs: number | null;
  reportedAt: string | null;
}

export interface Override {
  id: string;
  market: string;
  /** Cells the cap covers; null for the whole market. */
  cells: string[] | null;
  cap: number;
  reason: string;
  by: string;
  startsAt: string;
  until: string;
}

export interface SystemSnapshot {
  mode: Mode;
  markets: Record<string, Mode>;
  dependencies: Record<DependencyName, DependencyHealth>;
  overrides: Override[];
  changedAt: string | null;
}

export interface OverrideRequest {
  market: string;
  cells: string[] | null;
  cap: number;
  minutes: number;
  reason: string;
  by: string;
}

export class SystemMode extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS dependencies (name TEXT PRIMARY KEY, status TEXT NOT NULL, since INTEGER NOT NULL,
        last_error TEXT, latency_ms REAL, reported_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS overrides (id TEXT PRIMARY KEY, body TEXT NOT NULL, until INTEGER NOT NULL, lifted_at INTEGER);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  }

  /** A dependency's health as a probe or a breaker saw it. */
  async report(
    name: DependencyName,
    status: "ok" | "failing",
    detail: { latencyMs?: number; error?: string } = {},
  ): Promise<SystemSnapshot> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const previous = sql.exec<{ status: string }>("SELECT status FROM dependencies WHERE name = ?", name).toArray()[0];
    const changed = previous?.status !== status;
    sql.exec(
      `INSERT INTO dependencies (name, status, since, last_error, latency_ms, reported_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET status = excluded.status, since = CASE WHEN dependencies.status = excluded.status THEN dependencies.since ELSE excluded.since END,
       last_error = COALESCE(excluded.last_error, dependencies.last_error), latency_ms = excluded.latency_ms, reported_at = excluded.reported_at`,
      name,
      status,
      now,
      detail.error ?? null,
      detail.latencyMs ?? null,
      now,
    );
    if (changed && previous !== undefined)
      this.#log({ kind: "dependency", subject: name, status, detail: { error: detail.error ?? null } });
    await this.#settle();
    return this.snapshot();
  }

  /** An operator's emergency: multipliers in a market (or some of its cells) capped until a time. */
  async declare(request: OverrideRequest): Promise<Override> {
    const now = Date.now();
    const override: Override = {
      id: `ovr_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
      market: request.market,
      cells: request.cells,
      cap: request.cap,
      reason: request.reason,
      by: request.by,
      startsAt: new Date(now).toISOString(),
      until: new Date(now + request.minutes * 60_000).toISOString(),
    };
    this.ctx.storage.sql.exec(
      "INSERT INTO overrides (id, body, until) VALUES (?, ?, ?)",
      override.id,
      JSON.stringify(override),
      now + request.minutes * 60_000,
    );
    this.#log({ kind: "override", subject: override.market, status: "declared", detail: { ...override } });
    await this.#pushOverrides(override.market);
    await this.#settle();
    return override;
  }

  async lift(id: string, by: string): Promise<Override | null> {
    const row = this.ctx.storage.sql
      .exec<{ body: string }>("SELECT body FROM overrides WHERE id = ? AND lifted_at IS NULL", id)
      .toArray()[0];
    if (!row) return null;
    const override = JSON.parse(row.body) as Override;
    this.ctx.storage.sql.exec("UPDATE overrides SET lifted_at = ? WHERE id = ?", Date.now(), id);
    this.#log({ kind: "override", subject: override.market, status: "lifted", detail: { id, by } });
    await this.#pushOverrides(override.market);
    await this.#settle();
    return override;
  }

  snapshot(): SystemSnapshot {
    const now = Date.now();
    const dependencies = Object.fromEntries(
      DEPENDENCIES.map((d) => [
        d,
        { status: "unknown", since: null, lastError: null, latencyMs: null, reportedAt: null } as DependencyHealth,
      ]),
    ) as Record<DependencyName, DependencyHealth>;
    for (const r of this.ctx.storage.sql.exec<{
      name: DependencyName;
      status: "ok" | "failing";
      since: number;
      last_error: string | null;
      latency_ms: number | null;
      reported_at: number;
    }>("SELECT * FROM dependencies")) {
      dependencies[r.name] = {
        status: r.status,
        since: new Date(r.since).toISOString(),
        lastError: r.last_error,
        latencyMs: r.latency_ms,
        reportedAt: new Date(r.reported_at).toISOString(),
      };
    }
    const overrides = this.#active(now);
    const mode: Mode = Object.values(dependencies).some((d) => d.status === "failing") ? "degraded" : "normal";
    const markets: Record<string, Mode> = {};
    for (const o of overrides) markets[o.market] = "emergency";
    const changedAt =
      this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'changedAt'").toArray()[0]?.value ?? null;
    return { mode, markets, dependencies, overrides, changedAt };
  }

  /** Expires overrides on time. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const expired = this.ctx.storage.sql
      .exec<{ id: string; body: string }>("SELECT id, body FROM overrides WHERE lifted_at IS NULL AND until <= ?", now)
      .toArray();
    for (const row of expired) {
      this.ctx.storage.sql.exec("UPDATE overrides SET lifted_at = ? WHERE id = ?", now, row.id);
      const o = JSON.parse(row.body) as Override;
      this.#log({ kind: "override", subject: o.market, status: "expired", detail: { id: o.id } });
      await this.#pushOverrides(o.market);
    }
    await this.#settle();
  }

  #active(now: number): Override[] {
    return this.ctx.storage.sql
      .exec<{ body: string }>("SELECT body FROM overrides WHERE lifted_at IS NULL AND until > ? ORDER BY until", now)
      .toArray()
      .map((r) => JSON.parse(r.body) as Override);
  }

  /** Recomputes the mode; logs and announces a change; keeps the expiry alarm set. */
  async #settle(): Promise<void> {
    const snap = this.snapshot();
    const signature = JSON.stringify({ mode: snap.mode, markets: snap.markets });
    const sql = this.ctx.storage.sql;
    const before = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'signature'").toArray()[0]?.value;
    if (before !== signature) {
      const at = new Date().toISOString();
      sql.exec(
        "INSERT INTO meta (key, value) VALUES ('signature', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        signature,
      );
      sql.exec(
        "INSERT INTO meta (key, value) VALUES ('changedAt', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        at,
      );
      this.#log({ kind: "mode", subject: "system", status: snap.mode, detail: { markets: snap.markets } });
      console.log(JSON.stringify({ level: "warn", message: "system mode changed", mode: snap.mode, markets: snap.markets }));
      await this.#announce(snap);
    }
    const next = snap.overrides[0];
    if (next) await this.ctx.storage.setAlarm(Date.parse(next.until));
  }

  /** Tells operators watching each market (their consoles hold the market's live feed). */
  async #announce(snap: SystemSnapshot): Promise<void> {
    const markets = (await this.env.MARKETS.getByName("directory").list()).map((m) => m.id);
    await Promise.allSettled(
      markets.map((id) =>
        this.env.MARKET_FEEDS.getByName(id).announce({
          type: "mode",
          mode: snap.markets[id] ?? snap.mode,
          system: snap.mode,
          overrides: snap.overrides.filter((o) => o.market === id),
          at: new Date().toISOString(),
        }),
      ),
    );
  }

  /** Sends every zone of a market its current emergency caps; zones apply them on their next tick. */
  async #pushOverrides(marketId: string): Promise<void> {
    const market = await this.env.MARKETS.getByName("directory").get(marketId);
    if (!market) return;
    const caps = this.#active(Date.now())
      .filter((o) => o.market === marketId)
      .map((o) => ({ cap: o.cap, cells: o.cells, until: Date.parse(o.until) }));
    const zones = new Set(geofenceCells(market.geofence, market.resolution).map((c) => zoneOf(c, market.zoneResolution)));
    const ref = { id: market.id, version: market.version };
    await Promise.allSettled(
      [...zones].map((zone) => this.env.ZONES.getByName(zoneKey(market.id, zone)).setEmergency(ref, zone, caps)),
    );
  }

  #log(e: Omit<FailureEvent, "id" | "at">): void {
    const message: HistoryMessage = { type: "failure", event: { ...e, id: crypto.randomUUID(), at: Date.now() } };
    this.ctx.waitUntil(this.env.HISTORY.send(message, { contentType: "json" }).catch(() => undefined));
  }
}
