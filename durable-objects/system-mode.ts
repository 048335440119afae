import { type Actor, auditEntry, type FailureEvent } from "../shared/contracts/history";
import { directoryStub, marketFeedStub, parseZoneName, SYSTEM_NAME, zoneStub } from "../shared/contracts/objects";
import {
  DEPENDENCIES,
  type DependencyHealth,
  type DependencyName,
  type FailingZone,
  type Mode,
  modeChanges,
  modes,
  type ZonesHealth,
  zonesHealth,
} from "../shared/platform/health";
import type { Market } from "../shared/pricing/market";
import { marketZones } from "../shared/pricing/zoning";
import { HistoryProducer } from "./history-producer";
import { Outbox } from "./outbox";

/**
 * The system's mode: one object (named "system") that hears how the dependencies are doing —
 * from the probes a cron trigger runs and from the Workers' circuit breakers, the zones' per zone
 * object — and holds the operators' overrides. The modes and the rules that make them from the
 * reports are in `shared/health.ts`.
 *
 * Every change is persisted here, logged as a failure event (through this object's outbox, in
 * the same storage turn as the change, so it waits while Postgres is down), and pushed to the
 * live subscribers of the markets concerned. Operators' overrides are also audited that way.
 *
 * It also holds whether the platform is draining (a local stop in progress): then the edge
 * refuses new writes with a retryable answer while the outboxes empty. That flag lives in
 * memory only: a restarted platform takes traffic again.
 */

/**
 * A zone reported failing counts as failing this long unless reported again. Only its callers
 * report it (a failed probe of an open breaker at least every 30 s while called); a zone nobody
 * calls any more hurts nobody.
 */
const ZONE_REPORT_TTL_MS = 2 * 60_000;

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
  dependencies: Record<DependencyName, DependencyHealth> & { zones: ZonesHealth };
  overrides: Override[];
  changedAt: string | null;
  draining: boolean;
}

export type { Actor } from "../shared/contracts/history";

export interface OverrideRequest {
  market: string;
  cells: string[] | null;
  cap: number;
  minutes: number;
  reason: string;
  by: string;
}

export class SystemMode extends HistoryProducer {
  protected readonly outbox: Outbox;
  #draining = false;
  /** Each market's zones, computed once per market version (as many as the directory has markets). */
  #zonesByMarket = new Map<string, { version: number; zones: Set<string> }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS dependencies (name TEXT PRIMARY KEY, status TEXT NOT NULL, since INTEGER NOT NULL,
        last_error TEXT, latency_ms REAL, reported_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS overrides (id TEXT PRIMARY KEY, body TEXT NOT NULL, until INTEGER NOT NULL, lifted_at INTEGER);
      CREATE TABLE IF NOT EXISTS failing_zones (name TEXT PRIMARY KEY, market TEXT NOT NULL, since INTEGER NOT NULL,
        last_error TEXT, until INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    this.outbox = new Outbox({
      sql: ctx.storage.sql,
      queues: { history: env.HISTORY, notifications: env.NOTIFICATIONS },
      origin: { host: "system", name: SYSTEM_NAME },
    });
    void this.rearm();
  }

  /** A local stop in progress: the edge refuses new writes (retryable) until the platform restarts. */
  setDraining(draining: boolean): boolean {
    this.#draining = draining;
    return draining;
  }

  /** A dependency's health as a probe or a breaker saw it; with `zone`, one zone object's (by its name). */
  async report(
    name: DependencyName,
    status: "ok" | "failing",
    detail: { latencyMs?: number; error?: string; zone?: string } = {},
  ): Promise<SystemSnapshot> {
    if (name === "zones" && detail.zone !== undefined) await this.#reportZone(detail.zone, status, detail.error);
    else this.#reportDependency(name, status, detail);
    await this.#settle();
    return this.snapshot();
  }

  #reportDependency(name: DependencyName, status: "ok" | "failing", detail: { latencyMs?: number; error?: string }): void {
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
  }

  /** One zone object failing (held for `ZONE_REPORT_TTL_MS`, renewed by each report) or answering again. */
  async #reportZone(zone: string, status: "ok" | "failing", error: string | undefined): Promise<void> {
    const where = parseZoneName(zone);
    if (!where) return;
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const held = sql.exec("SELECT 1 FROM failing_zones WHERE name = ? AND until > ?", zone, now).toArray().length > 0;
    if (status === "ok") {
      sql.exec("DELETE FROM failing_zones WHERE name = ?", zone);
      if (held) this.#log({ kind: "dependency", subject: `zone:${zone}`, status: "ok", detail: {} });
      return;
    }
    sql.exec(
      `INSERT INTO failing_zones (name, market, since, last_error, until) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET until = excluded.until, last_error = COALESCE(excluded.last_error, failing_zones.last_error),
       since = CASE WHEN failing_zones.until > ? THEN failing_zones.since ELSE excluded.since END`,
      zone,
      where.market,
      now,
      error ?? null,
      now + ZONE_REPORT_TTL_MS,
      now,
    );
    if (held) return;
    this.#log({ kind: "dependency", subject: `zone:${zone}`, status: "failing", detail: { error: error ?? null } });
    await this.#countZones();
  }

  /** Counts every market's zones (the share's denominator), kept in storage for `snapshot`. */
  async #countZones(): Promise<void> {
    let markets: Market[];
    try {
      markets = await directoryStub(this.env).list();
    } catch {
      return; // the last count stands
    }
    const counted = new Map<string, { version: number; zones: Set<string> }>();
    for (const m of markets) {
      const known = this.#zonesByMarket.get(m.id);
      counted.set(m.id, known?.version === m.version ? known : { version: m.version, zones: new Set(marketZones(m)) });
    }
    this.#zonesByMarket = counted;
    const total = [...counted.values()].reduce((sum, m) => sum + m.zones.size, 0);
    this.ctx.storage.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('zoneCount', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      String(total),
    );
  }

  /** An operator's emergency: multipliers in a market (or some of its cells) capped until a time. */
  async declare(request: OverrideRequest, actor?: Actor): Promise<Override> {
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
    if (actor) this.#audit(actor, "override.declare", override.id, override.market, { ...override });
    await this.#pushOverrides(override.market);
    await this.#settle();
    return override;
  }

  async lift(id: string, by: string, actor?: Actor): Promise<Override | null> {
    const row = this.ctx.storage.sql
      .exec<{ body: string }>("SELECT body FROM overrides WHERE id = ? AND lifted_at IS NULL", id)
      .toArray()[0];
    if (!row) return null;
    const override = JSON.parse(row.body) as Override;
    this.ctx.storage.sql.exec("UPDATE overrides SET lifted_at = ? WHERE id = ?", Date.now(), id);
    this.#log({ kind: "override", subject: override.market, status: "lifted", detail: { id, by } });
    if (actor) this.#audit(actor, "override.lift", id, override.market, { cap: override.cap, cells: override.cells });
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
    const zones = zonesHealth(dependencies.zones, this.#failingZones(now), this.#zoneCount());
    const all = { ...dependencies, zones: zones.health };
    const overrides = this.#active(now);
    const { mode, markets } = modes(
      all,
      zones.markets,
      overrides.map((o) => o.market),
    );
    const changedAt =
      this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'changedAt'").toArray()[0]?.value ?? null;
    return { mode, markets, dependencies: all, overrides, changedAt, draining: this.#draining };
  }

  #failingZones(now: number): FailingZone[] {
    return this.ctx.storage.sql
      .exec<{ name: string; market: string; since: number; last_error: string | null }>(
        "SELECT name, market, since, last_error FROM failing_zones WHERE until > ?",
        now,
      )
      .toArray()
      .map((z) => ({ name: z.name, market: z.market, since: z.since, lastError: z.last_error }));
  }

  #zoneCount(): number {
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'zoneCount'").toArray()[0];
    return Number(row?.value ?? 0);
  }

  /** Expires overrides and zone reports on time, and sends the outbox's history. */
  override async alarm(): Promise<void> {
    await this.outbox.drain(Date.now());
    const now = Date.now();
    const unreported = this.ctx.storage.sql
      .exec<{ name: string }>("DELETE FROM failing_zones WHERE until <= ? RETURNING name", now)
      .toArray();
    for (const { name } of unreported)
      this.#log({
        kind: "dependency",
        subject: `zone:${name}`,
        status: "unknown",
        detail: { reason: `not reported failing for ${ZONE_REPORT_TTL_MS / 1000} s` },
      });
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
    await this.rearm(true);
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
      const previous = before ? (JSON.parse(before) as Pick<SystemSnapshot, "mode" | "markets">) : undefined;
      for (const change of modeChanges(previous, snap))
        this.#log({
          kind: "mode",
          ...change,
          // The first reading is history's record of where the modes started, not a change anyone is told of.
          detail: { system: snap.mode, markets: snap.markets, ...(previous ? {} : { first: true }) },
        });
      console.log(JSON.stringify({ level: "warn", message: "system mode changed", mode: snap.mode, markets: snap.markets }));
      await this.#announce(snap);
    }
    await this.rearm();
  }

  /** The alarm serves the next override expiry, zone report expiry and the outbox's next send, whichever is first. */
  protected async rearm(fromAlarm = false): Promise<void> {
    const now = Date.now();
    const next = this.#active(now)[0];
    const zoneExpiry = this.ctx.storage.sql
      .exec<{ at: number | null }>("SELECT min(until) AS at FROM failing_zones")
      .toArray()[0]?.at;
    const due = Math.min(
      next ? Date.parse(next.until) : Number.POSITIVE_INFINITY,
      zoneExpiry ?? Number.POSITIVE_INFINITY,
      this.outbox.nextDue(now) ?? Number.POSITIVE_INFINITY,
    );
    if (due === Number.POSITIVE_INFINITY) return;
    // Inside the alarm handler the running alarm may still read as set: set the next one outright.
    const current = fromAlarm ? null : await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  /** Tells operators watching each market (their consoles hold the market's live feed). */
  async #announce(snap: SystemSnapshot): Promise<void> {
    const markets = (await directoryStub(this.env).list()).map((m) => m.id);
    await Promise.allSettled(
      markets.map((id) =>
        marketFeedStub(this.env, id).announce({
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
    const market = await directoryStub(this.env).get(marketId);
    if (!market) return;
    const caps = this.#active(Date.now())
      .filter((o) => o.market === marketId)
      .map((o) => ({ cap: o.cap, cells: o.cells, until: Date.parse(o.until) }));
    const zones = new Set(marketZones(market));
    const ref = { id: market.id, version: market.version };
    await Promise.allSettled([...zones].map((zone) => zoneStub(this.env, market.id, zone).setEmergency(ref, zone, caps)));
  }

  /** A failure event into the outbox, in the same storage turn as the change it records. */
  #log(e: Omit<FailureEvent, "id" | "at">): void {
    const now = Date.now();
    const event: FailureEvent = { ...e, id: crypto.randomUUID(), at: now };
    this.outbox.add({ type: "failure", event }, now);
    // Mode changes and emergencies are also what operators subscribe to hear.
    if (e.kind === "mode" || e.kind === "override") this.outbox.add({ type: "failure", event }, now, "notifications");
    void this.rearm();
  }

  #audit(actor: Actor, action: string, target: string, market: string, detail: Record<string, unknown>): void {
    const now = Date.now();
    this.outbox.add(
      { type: "audit", entry: auditEntry(actor, { action, target, market, detail }, crypto.randomUUID(), now) },
      now,
    );
  }
}

/** A market's zones: the parents of its pricing cells. */
