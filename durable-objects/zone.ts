import type { LiveMessage } from "../shared/contracts/api";
import type { HistoryEvent, QuoteRecord, ZoneBatch, ZoneIngestResult } from "../shared/contracts/history";
import { directoryStub, marketFeedStub, zoneName, zoneStub } from "../shared/contracts/objects";
import type { Revocation } from "../shared/platform/revocation";
import { MinuteLog } from "../shared/pricing/minute-log";
import { type PricedQuote, priceQuote, type QuotePricing } from "../shared/pricing/quote";
import { type Balance, liveHorizonMs, NEGLIGIBLE_DEMAND } from "../shared/pricing/surge";
import { type EmergencyCap, type MarketRef, type ZoneConfig, zoneConfig } from "../shared/pricing/zone-config";
import {
  type CellReading,
  type CellState,
  type DriverState,
  type HistoryPoint,
  type SourceInputs,
  type SurgeChange,
  ZoneState,
} from "../shared/pricing/zone-state";
import { COVERAGE_REVISION } from "../shared/pricing/zoning";
import { HistoryProducer } from "./history-producer";
import { NotificationWatch } from "./notification-watch";
import type { Backlog } from "./outbox";
import { Outbox } from "./outbox";
import { Subscribers } from "./subscribers";

export type { MarketRef } from "../shared/pricing/zone-config";

/** Expired drivers and forgotten event ids are swept from storage at most this often. */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * Events that change live state are priced (and a changed multiplier published) this soon, not
 * at the next regular tick: at most this often, so a flood of batches costs at most 40
 * recomputations a second. Steps between regular ticks are partial (see `step` in surge.ts), so
 * the market moves at the same pace however often it is recomputed.
 */
const PUBLISH_SPACING_MS = 25;

/**
 * Quote records wait this long in the zone's memory before they are stored together. The price
 * is signed and honoured either way; only a zone that crashes within this window (a rare event:
 * objects are evicted when idle, after the records are stored) would lose the records of the
 * quotes it priced in it.
 */
const QUOTE_RECORDS_MS = 20;

/**
 * The replay guard's key of an event: ids are unique per kind and per reporting principal, as
 * in history's key (kind, source, event_id). Length-prefixed, so no choice of ids can collide.
 */
function guardKey(kind: string, source: string, eventId: string): string {
  return `${kind === "supply" ? "s" : "d"}${source.length}:${source}${eventId}`;
}

/** A driver or rider as live state knows them: ids are the reporting principal's. */
function actorKey(source: string, actorId: string): string {
  return `${source}\u0000${actorId}`;
}

/**
 * One zone: a group of pricing cells (an H3 parent cell) of one market. It counts supply and
 * demand, recomputes multipliers on its alarm, persists enough to resume after a restart, and
 * serves the zone's live subscribers.
 *
 * Storage (SQLite): `events` remembers event ids for as long as an event can still change live
 * state (the replay guard), `drivers` and `cells` hold the live state, `meta` the market
 * settings this zone last saw, `outbox` the history not yet confirmed in Postgres. Memory holds
 * the same live state in a `ZoneState`.
 *
 * One alarm serves two clocks: the next tick (at most every `updateIntervalMs` while anything
 * moves) and the outbox's next send or resend; `rearm` sets it to the earlier of the two.
 */
export class Zone extends HistoryProducer {
  #config: ZoneConfig | undefined;
  #state: ZoneState | undefined;
  #loading: Promise<void> | undefined;
  #subscribers: Subscribers;
  protected readonly outbox: Outbox;
  #lastTickAt = 0;
  /** When the next tick is wanted (0: none); the alarm may also be set earlier for the outbox. */
  #tickAt = 0;
  #alarmAt = 0;
  #lastSweepAt = 0;
  #lastShareAt = 0;
  #minutes = new MinuteLog();
  #caps: EmergencyCap[] = [];
  #failUntil = 0;
  #quoteRecords: QuoteRecord[] = [];
  /** Cells someone asked to hear about: their crossings go to the notifications worker. */
  #watch: NotificationWatch;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS events_at ON events (at);
      CREATE TABLE IF NOT EXISTS drivers (id TEXT PRIMARY KEY, cell TEXT NOT NULL, available INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS cells (cell TEXT PRIMARY KEY, demand REAL NOT NULL, demand_at INTEGER NOT NULL,
        smoothed REAL NOT NULL, shown INTEGER NOT NULL, seq INTEGER NOT NULL, computed_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    this.#subscribers = new Subscribers(ctx);
    this.#watch = new NotificationWatch(sql);
    const zone = this;
    this.outbox = new Outbox({
      sql,
      queues: { history: env.HISTORY, notifications: env.NOTIFICATIONS },
      get origin() {
        const config = zone.#config;
        return { host: "zone" as const, name: config ? zoneName(config.market.id, config.zone) : "" };
      },
      // Its market's operators hear when this zone's history backs up.
      get market() {
        return zone.#config?.market.id;
      },
    });
    const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'config'").toArray()[0];
    if (row) this.#restore(JSON.parse(row.value) as ZoneConfig);
    const restored = this.#state;
    if (restored) this.#watch.prime((cell) => restored.reading(cell, Date.now()).shownTenths);
    // History accepted before a stop or a crash goes on its way without waiting for traffic.
    this.rearm();
  }

  /** A liveness probe of the Durable Object subsystem (answers without any market). */
  ping(): number {
    return Date.now();
  }

  /**
   * Applies a batch of events of this zone; returns the indexes of events seen before. In one
   * storage turn: the replay guard, the live state and the history rows of what was accepted.
   * A full outbox refuses the batch (retryable) rather than accept what it could not keep.
   */
  async ingest(batch: ZoneBatch): Promise<ZoneIngestResult> {
    const state = await this.#ready(batch.market, batch.zone);
    if (this.outbox.full) return { duplicates: [], refused: "backlog" };
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const { source } = batch;
    const duplicates: number[] = [];
    const drivers = new Set<string>();
    const cells = new Set<string>();
    const accepted: HistoryEvent[] = [];
    const fresh = this.#firstSeen(source, batch.events);
    const searchWeight = state.settings.searchWeight;

    for (const e of batch.events) {
      if (!fresh.delete(guardKey(e.kind, source, e.eventId))) {
        duplicates.push(e.index);
        continue;
      }
      accepted.push({ kind: e.kind, source, eventId: e.eventId, cell: e.cell, at: e.at, actorId: e.actorId, status: e.status });
      if (e.kind === "supply") {
        const driver = actorKey(source, e.actorId ?? "");
        if (state.applySupply(driver, e.cell, e.status === "available", e.at, now) === "applied") drivers.add(driver);
      } else {
        const rider = e.actorId === null ? undefined : actorKey(source, e.actorId);
        const weight = e.status === "request" ? 1 : searchWeight;
        if (state.applyDemand(e.cell, weight, e.at, now, rider) === "applied") cells.add(e.cell);
      }
    }
    // In the same storage turn as the replay guard: an accepted event is on its way to history.
    if (accepted.length > 0)
      this.outbox.add({ type: "events", market: batch.market.id, zone: batch.zone, events: accepted }, now);

    const driverRows = [...drivers].flatMap((id) => {
      const d = state.drivers.get(id);
      return d ? [[id, d.cell, d.available ? 1 : 0, d.at]] : [];
    });
    // One statement for the whole batch: the rows travel as one JSON parameter.
    if (driverRows.length > 0)
      sql.exec(
        `INSERT INTO drivers (id, cell, available, at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?) WHERE true
         ON CONFLICT (id) DO UPDATE SET cell = excluded.cell, available = excluded.available, at = excluded.at`,
        JSON.stringify(driverRows),
      );
    for (const cell of cells) this.#saveCell(cell);
    if (cells.size > 0 || drivers.size > 0) this.#schedule(now, PUBLISH_SPACING_MS);
    return { duplicates };
  }

  /**
   * The replay guard: records the events' keys and returns those seen for the first time, in one
   * statement for the whole batch (the keys travel as one JSON parameter; RETURNING names only
   * the rows it really inserted).
   */
  #firstSeen(source: string, events: ZoneBatch["events"]): Set<string> {
    const keys = events.map((e) => [guardKey(e.kind, source, e.eventId), e.at]);
    const rows = this.ctx.storage.sql.exec<{ id: string }>(
      "INSERT OR IGNORE INTO events (id, at) SELECT value ->> 0, value ->> 1 FROM json_each(?) RETURNING id",
      JSON.stringify(keys),
    );
    const fresh = new Set<string>();
    for (const r of rows) fresh.add(r.id);
    return fresh;
  }

  /**
   * Prices a quote at a cell's current multiplier and keeps its record for history. Records are
   * gathered for `QUOTE_RECORDS_MS` and stored in one commit: a storage commit per quote would
   * cap a busy zone at a few hundred quotes a second. The quote itself never waits for it.
   */
  async quote(market: MarketRef, zone: string, pricing: QuotePricing): Promise<{ reading: CellReading; priced: PricedQuote }> {
    const state = await this.#ready(market, zone);
    const now = Date.now();
    const reading = state.reading(pricing.cell, now, pricing.emergencyCap);
    // The experiment arm: the one that priced the reading, else (a cell at rest) the one in force now.
    const experiment = reading.explanation.experiment ?? state.inputsFor(pricing.cell, now).experiment;
    const priced = priceQuote(pricing, reading.shownTenths, experiment);
    this.#quoteRecords.push(priced.record);
    if (this.#quoteRecords.length === 1) setTimeout(() => this.#keepQuotes(), QUOTE_RECORDS_MS);
    return { reading, priced };
  }

  /** Quotes priced in the last few milliseconds, into the outbox in one storage commit. */
  #keepQuotes(): void {
    const records = this.#quoteRecords;
    if (records.length === 0) return;
    this.#quoteRecords = [];
    const now = Date.now();
    for (const quote of records) this.outbox.add({ type: "quote", quote }, now);
    this.rearm(now);
  }

  override async flush(): Promise<Backlog> {
    this.#keepQuotes();
    return super.flush();
  }

  /** The current multiplier of a cell and what made it, under `cap` too when the caller knows of one. */
  async reading(market: MarketRef, zone: string, cell: string, cap?: number): Promise<CellReading> {
    const state = await this.#ready(market, zone);
    return state.reading(cell, Date.now(), cap);
  }

  /**
   * Operators' emergency caps for this zone (from the system-mode object): whole-zone caps and
   * per-cell caps, each until a time. Readings and quotes honour them at once; the next tick,
   * scheduled now, moves the multipliers under them.
   */
  async setEmergency(market: MarketRef, zone: string, caps: EmergencyCap[]): Promise<void> {
    const state = await this.#ready(market, zone);
    this.ctx.storage.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('emergency', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      JSON.stringify(caps),
    );
    this.#caps = caps;
    state.setCaps(caps, Date.now());
    this.#schedule(Date.now());
  }

  /**
   * What a source outside the zone tells its pricing — a forecast, an experiment's variants —
   * for the whole zone and/or some cells, until a time (`undefined` clears it). Kept across
   * restarts; takes effect from the next tick, which is scheduled now.
   */
  async setInputs(market: MarketRef, zone: string, source: string, inputs: SourceInputs | undefined): Promise<void> {
    const state = await this.#ready(market, zone);
    const key = `inputs:${source}`;
    if (inputs === undefined) this.ctx.storage.sql.exec("DELETE FROM meta WHERE key = ?", key);
    else
      this.ctx.storage.sql.exec(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        JSON.stringify(inputs),
      );
    state.setInputs(source, inputs);
    this.#schedule(Date.now());
  }

  /** Fault injection for resilience tests (enabled only where CHAOS_ENABLED is set): fail every call for a while. */
  async fail(seconds: number): Promise<void> {
    if ((this.env.CHAOS_ENABLED as string) !== "true") throw new Error("fault injection is disabled here");
    this.#failUntil = Date.now() + seconds * 1000;
  }

  /** Recent history of a cell (kept in memory: a restart starts it afresh). */
  async history(market: MarketRef, zone: string, cell: string): Promise<readonly HistoryPoint[]> {
    const state = await this.#ready(market, zone);
    return state.history(cell);
  }

  /** Every cell of the zone that has supply, demand or a multiplier above 1.0. */
  async activeCells(market: MarketRef, zone: string): Promise<CellReading[]> {
    const state = await this.#ready(market, zone);
    return state.activeCells(Date.now());
  }

  /** Border balances from a neighbouring zone, so surge here can weigh cells over there. */
  async halo(market: MarketRef, zone: string, balances: Array<Balance & { cell: string }>): Promise<void> {
    const state = await this.#ready(market, zone);
    const now = Date.now();
    state.setHalo(balances, now);
    if (balances.some((b) => b.demand >= NEGLIGIBLE_DEMAND)) this.#schedule(now);
  }

  /** Live subscriptions: the edge worker forwards the upgrade with the subscription in a header. */
  override async fetch(request: Request): Promise<Response> {
    const live = Subscribers.requested(request);
    if (!live) return new Response("expected a WebSocket upgrade", { status: 426 });
    const state = await this.#ready(live.market, live.zone);
    const response = this.#subscribers.connect(live, this.#snapshot(state, live.cells));
    this.rearm(); // the alarm also closes the socket when its token expires
    return response;
  }

  /** Closes this zone's sockets that a revocation covers (pushed by the revocation list). */
  async revoke(revocation: Revocation): Promise<number> {
    return this.#subscribers.revoke(revocation);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const state = this.#state;
    if (!state) return;
    this.#subscribers.message(ws, message, { by: "this zone", owns: (cell: string) => state.ownCells.has(cell) }, (cells) =>
      this.#snapshot(state, cells),
    );
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#subscribers.closed(ws, code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#subscribers.remove(ws);
  }

  override async alarm(): Promise<void> {
    this.#alarmAt = 0;
    const now = Date.now();
    if (this.#state && this.#tickAt !== 0 && now >= this.#tickAt) {
      this.#tickAt = 0;
      this.#tick(this.#state);
    }
    await this.outbox.drain(Date.now());
    this.#subscribers.sweep(Date.now());
    this.rearm();
  }

  #tick(state: ZoneState): void {
    const now = Date.now();
    this.#lastTickAt = now;
    if (this.#caps.some((c) => c.until <= now)) {
      this.#caps = this.#caps.filter((c) => c.until > now);
      state.setCaps(this.#caps, now);
    }
    const { changes, updated, active } = state.tick(now);
    for (const cell of updated) this.#saveCell(cell);
    this.#logMinutes(state, now, active);
    if (now - this.#lastSweepAt >= SWEEP_INTERVAL_MS) this.#sweep(state, now);
    this.#subscribers.broadcast(changes);
    if (changes.length > 0) this.#publish(changes);
    this.#notify(changes, now);
    if (active) {
      if (now - this.#lastShareAt >= state.settings.updateIntervalMs) this.#shareBorders(state, now);
      this.#schedule(now + state.settings.updateIntervalMs);
    }
  }

  /** Folds this tick into per-minute rows; finished minutes go to history. */
  #logMinutes(state: ZoneState, now: number, active: boolean): void {
    for (const [cell, c] of state.cells) {
      if (c.computedAt !== now) continue;
      const r = state.reading(cell, now);
      this.#minutes.observe(cell, now, {
        supply: r.supply,
        demand: r.demand,
        multiplier: r.shownTenths / 10,
        experiment: r.explanation.experiment,
      });
    }
    const minutes = this.#minutes.take(now, !active);
    const config = this.#config;
    if (minutes.length > 0 && config)
      this.outbox.add({ type: "surge", market: config.market.id, zone: config.zone, minutes }, now);
  }

  /** Wants a tick as soon as possible, at least `spacing` (by default a whole update interval) after the last one. */
  #schedule(now: number, spacing = this.#state?.settings.updateIntervalMs ?? 200): void {
    const at = Math.max(now, this.#lastTickAt + spacing);
    if (this.#tickAt === 0 || at < this.#tickAt) this.#tickAt = at;
    this.rearm(now);
  }

  /** Sets the alarm to the earlier of the next tick and the outbox's next send (never dropping either). */
  protected rearm(now = Date.now()): void {
    const due = Math.min(
      this.#tickAt || Number.POSITIVE_INFINITY,
      this.outbox.nextDue(now) ?? Number.POSITIVE_INFINITY,
      this.#subscribers.nextExpiry() ?? Number.POSITIVE_INFINITY,
    );
    if (due === Number.POSITIVE_INFINITY || (this.#alarmAt !== 0 && this.#alarmAt <= due)) return;
    this.#alarmAt = due;
    void this.ctx.storage.setAlarm(due);
  }

  #sweep(state: ZoneState, now: number): void {
    this.#lastSweepAt = now;
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM drivers WHERE at < ?", now - state.settings.supplyWindowSeconds * 1000);
    sql.exec("DELETE FROM events WHERE at < ?", now - liveHorizonMs(state.settings));
  }

  #saveCell(cell: string): void {
    const c = this.#state?.cells.get(cell);
    if (!c) return;
    this.ctx.storage.sql.exec(
      `INSERT INTO cells (cell, demand, demand_at, smoothed, shown, seq, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (cell) DO UPDATE SET demand = excluded.demand, demand_at = excluded.demand_at, smoothed = excluded.smoothed,
       shown = excluded.shown, seq = excluded.seq, computed_at = excluded.computed_at`,
      cell,
      c.demand,
      c.demandAt,
      c.smoothed,
      c.shownTenths,
      c.seq,
      c.computedAt,
    );
  }

  /** Market-wide subscribers (operator consoles) listen on the market's feed object. */
  #publish(changes: SurgeChange[]): void {
    const market = this.#config?.market;
    if (!market) return;
    this.ctx.waitUntil(
      marketFeedStub(this.env, market.id)
        .publish(changes)
        .catch(() => undefined),
    );
  }

  // ── Notifications ──

  /**
   * What to watch for notifications: per cell, the thresholds (tenths) of the market's surge
   * subscriptions there, as the market's notification hub computed them ({}: nothing).
   */
  async watchCells(market: MarketRef, zone: string, cells: Record<string, number[]>): Promise<void> {
    const state = await this.#ready(market, zone);
    const own = Object.fromEntries(Object.entries(cells).filter(([cell]) => state.ownCells.has(cell)));
    this.#watch.set(own, (cell) => state.reading(cell, Date.now()).shownTenths);
  }

  /** A tick's crossings of watched thresholds, into the outbox for the notifications worker (same turn as the tick). */
  #notify(changes: SurgeChange[], now: number): void {
    const config = this.#config;
    if (changes.length === 0 || this.#watch.size === 0 || !config) return;
    const crossings = this.#watch.crossings(changes);
    if (crossings.length > 0)
      this.outbox.add(
        { type: "cell-changes", market: config.market.id, zone: config.zone, changes: crossings },
        now,
        "notifications",
      );
  }

  /** Sends neighbouring zones the balances of our cells they pool with theirs. */
  #shareBorders(state: ZoneState, now: number): void {
    this.#lastShareAt = now;
    const config = this.#config;
    if (!config || state.settings.neighbourRings === 0) return;
    for (const [zone, cells] of Object.entries(config.borders)) {
      const balances = cells.flatMap((cell) => {
        const b = state.balanceOf(cell, now);
        return b && (b.demand >= NEGLIGIBLE_DEMAND || b.supply > 0) ? [{ cell, ...b }] : [];
      });
      if (balances.length === 0) continue;
      const stub = zoneStub(this.env, config.market.id, zone);
      this.ctx.waitUntil(stub.halo(config.market, zone, balances).catch(() => undefined));
    }
  }

  #snapshot(state: ZoneState, cells: string[] | null): LiveMessage {
    const now = Date.now();
    const list = cells ?? [...state.cells.keys()];
    return {
      type: "snapshot",
      at: new Date(now).toISOString(),
      cells: list.map((cell) => {
        const r = state.reading(cell, now);
        return { cell, multiplier: r.shownTenths / 10, seq: r.seq };
      }),
    };
  }

  /** The zone's state, configured for the given market version (fetched when newer). */
  async #ready(market: MarketRef, zone: string): Promise<ZoneState> {
    if (Date.now() < this.#failUntil) throw new Error("zone unavailable (injected fault)");
    while (!this.#state || !this.#config || this.#stale(this.#config, market)) {
      this.#loading ??= this.#configure(market, zone).finally(() => {
        this.#loading = undefined;
      });
      await this.#loading;
    }
    return this.#state;
  }

  /** A configuration older than the caller's market version, or cut by an earlier coverage rule. */
  #stale(config: ZoneConfig, market: MarketRef): boolean {
    return config.market.version < market.version || config.coverage !== COVERAGE_REVISION;
  }

  async #configure(ref: MarketRef, zone: string): Promise<void> {
    const market = await directoryStub(this.env).get(ref.id);
    if (!market) throw new Error(`market ${ref.id} is not in the directory`);
    const config = zoneConfig(market, zone, COVERAGE_REVISION);
    this.ctx.storage.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('config', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      JSON.stringify(config),
    );
    this.#restore(config);
  }

  /** Rebuilds memory from storage (on wake) or applies a new market version. */
  #restore(config: ZoneConfig): void {
    this.#config = config;
    const cells = new Set(config.cells);
    if (this.#state) {
      this.#state.reconfigure(cells, config.surge);
      return;
    }
    const state = new ZoneState(cells, config.surge);
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    state.restore(
      sql
        .exec<{ id: string; cell: string; available: number; at: number }>(
          "SELECT id, cell, available, at FROM drivers ORDER BY at",
        )
        .toArray()
        .map((d) => [d.id, { cell: d.cell, available: d.available === 1, at: d.at }] as [string, DriverState]),
      sql
        .exec<{
          cell: string;
          demand: number;
          demand_at: number;
          smoothed: number;
          shown: number;
          seq: number;
          computed_at: number;
        }>("SELECT * FROM cells")
        .toArray()
        .map(
          (c) =>
            [
              c.cell,
              {
                demand: c.demand,
                demandAt: c.demand_at,
                smoothed: c.smoothed,
                shownTenths: c.shown,
                seq: c.seq,
                computedAt: c.computed_at,
              },
            ] as [string, CellState],
        ),
      now,
    );
    const caps = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'emergency'").toArray()[0];
    this.#caps = caps ? (JSON.parse(caps.value) as EmergencyCap[]) : [];
    state.setCaps(this.#caps, now);
    for (const row of sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key LIKE 'inputs:%'"))
      state.setInputs(row.key.slice("inputs:".length), JSON.parse(row.value) as SourceInputs);
    this.#state = state;
    this.#schedule(now);
  }
}
