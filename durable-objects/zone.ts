import { DurableObject } from "cloudflare:workers";
import type { LiveMessage } from "../shared/api";
import { EVENTS_PER_MESSAGE, type HistoryEvent, type HistoryMessage, MinuteLog } from "../shared/history";
import type { Market, SurgeConfig } from "../shared/market";
import { type Balance, liveHorizonMs, NEGLIGIBLE_DEMAND } from "../shared/surge";
import { type CellReading, type HistoryPoint, type SurgeChange, ZoneState } from "../shared/zone-state";
import { geofenceCells, neighbourRings, zoneKey, zoneOf } from "../shared/zoning";
import { Subscribers } from "./subscribers";

/** Which market (and which version of its settings) a call speaks for. */
export interface MarketRef {
  id: string;
  version: number;
}

export interface ZoneSupplyEvent {
  index: number;
  eventId: string;
  driverId: string;
  cell: string;
  status: "available" | "busy" | "offline";
  at: number;
}

export interface ZoneDemandEvent {
  index: number;
  eventId: string;
  riderId?: string;
  cell: string;
  kind: "search" | "request";
  at: number;
}

export interface ZoneBatch {
  market: MarketRef;
  zone: string;
  supply: ZoneSupplyEvent[];
  demand: ZoneDemandEvent[];
}

interface ZoneConfig {
  market: MarketRef;
  zone: string;
  cells: string[];
  /** For each neighbour zone: our cells within its reach, whose balances it pools. */
  borders: Record<string, string[]>;
  surge: SurgeConfig;
}

/** Bound parameters per statement: Durable Objects' SQLite allows 100. */
const MAX_PARAMETERS = 100;

/** Bytes of messages per queue batch: under the 256 KB a batch may carry, with room for framing. */
const MAX_BATCH_BYTES = 200_000;

/** Expired drivers and forgotten event ids are swept from storage at most this often. */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * One zone: a group of pricing cells (an H3 parent cell) of one market. It counts supply and
 * demand, recomputes multipliers on its alarm, persists enough to resume after a restart, and
 * serves the zone's live subscribers.
 *
 * Storage (SQLite): `events` remembers event ids for as long as an event can still change live
 * state (the replay guard), `drivers` and `cells` hold the live state, `meta` the market
 * settings this zone last saw. Memory holds the same state in a `ZoneState`.
 */
export class Zone extends DurableObject<Env> {
  #config: ZoneConfig | undefined;
  #state: ZoneState | undefined;
  #loading: Promise<void> | undefined;
  #subscribers: Subscribers;
  #lastTickAt = 0;
  #nextTickAt = 0;
  #lastSweepAt = 0;
  #minutes = new MinuteLog();
  #outboxPending = true;
  #drainFailures = 0;
  #drainRetryAt = 0;
  #caps: EmergencyCap[] = [];
  #failUntil = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS events_at ON events (at);
      CREATE TABLE IF NOT EXISTS drivers (id TEXT PRIMARY KEY, cell TEXT NOT NULL, available INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS cells (cell TEXT PRIMARY KEY, demand REAL NOT NULL, demand_at INTEGER NOT NULL,
        smoothed REAL NOT NULL, shown INTEGER NOT NULL, seq INTEGER NOT NULL, computed_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);`);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    this.#subscribers = new Subscribers(ctx);
    const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'config'").toArray()[0];
    if (row) this.#restore(JSON.parse(row.value) as ZoneConfig);
  }

  /** A liveness probe of the Durable Object subsystem (answers without any market). */
  ping(): number {
    return Date.now();
  }

  /** Applies a batch of events of this zone; returns the indexes of events seen before. */
  async ingest(batch: ZoneBatch): Promise<{ duplicates: number[] }> {
    const state = await this.#ready(batch.market, batch.zone);
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const duplicates: number[] = [];
    const drivers = new Set<string>();
    const cells = new Set<string>();
    const accepted: HistoryEvent[] = [];
    const fresh = this.#firstSeen([...batch.supply, ...batch.demand]);
    const remember = (id: string) => fresh.delete(id);

    for (const e of batch.supply) {
      if (!remember(e.eventId)) {
        duplicates.push(e.index);
        continue;
      }
      accepted.push({ kind: "supply", eventId: e.eventId, cell: e.cell, at: e.at, actorId: e.driverId, status: e.status });
      if (state.applySupply(e.driverId, e.cell, e.status === "available", e.at, now) === "applied") drivers.add(e.driverId);
    }
    const searchWeight = state.settings.searchWeight;
    for (const e of batch.demand) {
      if (!remember(e.eventId)) {
        duplicates.push(e.index);
        continue;
      }
      accepted.push({ kind: "demand", eventId: e.eventId, cell: e.cell, at: e.at, actorId: e.riderId ?? null, status: e.kind });
      if (state.applyDemand(e.cell, e.kind === "request" ? 1 : searchWeight, e.at, now) === "applied") cells.add(e.cell);
    }
    // In the same storage transaction as the replay guard: an accepted event is on its way to history.
    for (let i = 0; i < accepted.length; i += EVENTS_PER_MESSAGE) {
      this.#enqueue({
        type: "events",
        market: batch.market.id,
        zone: batch.zone,
        events: accepted.slice(i, i + EVENTS_PER_MESSAGE),
      });
    }

    const driverRows = [...drivers].flatMap((id) => {
      const d = state.drivers.get(id);
      return d ? [[id, d.cell, d.available ? 1 : 0, d.at] as const] : [];
    });
    for (let i = 0; i < driverRows.length; i += MAX_PARAMETERS / 4) {
      const chunk = driverRows.slice(i, i + MAX_PARAMETERS / 4);
      sql.exec(
        `INSERT INTO drivers (id, cell, available, at) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}
         ON CONFLICT (id) DO UPDATE SET cell = excluded.cell, available = excluded.available, at = excluded.at`,
        ...chunk.flat(),
      );
    }
    for (const cell of cells) this.#saveCell(cell);
    if (accepted.length > 0) this.#schedule(now);
    return { duplicates };
  }

  /**
   * The replay guard: records the events' ids and returns those seen for the first time (a
   * multi-row insert per chunk; RETURNING names only the rows it really inserted).
   */
  #firstSeen(events: ReadonlyArray<{ eventId: string; at: number }>): Set<string> {
    const sql = this.ctx.storage.sql;
    const fresh = new Set<string>();
    for (let i = 0; i < events.length; i += MAX_PARAMETERS / 2) {
      const chunk = events.slice(i, i + MAX_PARAMETERS / 2);
      const rows = sql.exec<{ id: string }>(
        `INSERT OR IGNORE INTO events (id, at) VALUES ${chunk.map(() => "(?, ?)").join(", ")} RETURNING id`,
        ...chunk.flatMap((e) => [e.eventId, e.at]),
      );
      for (const r of rows) fresh.add(r.id);
    }
    return fresh;
  }

  /** The current multiplier of a cell and what made it. */
  async reading(market: MarketRef, zone: string, cell: string): Promise<CellReading> {
    const state = await this.#ready(market, zone);
    return state.reading(cell, Date.now());
  }

  /**
   * Operators' emergency caps for this zone (from the system-mode object): whole-zone caps and
   * per-cell caps, each until a time. They bind from the next tick, which is scheduled now.
   */
  async setEmergency(market: MarketRef, zone: string, caps: EmergencyCap[]): Promise<void> {
    const state = await this.#ready(market, zone);
    this.ctx.storage.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('emergency', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      JSON.stringify(caps),
    );
    this.#caps = caps;
    applyCaps(state, caps, Date.now());
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
    return this.#subscribers.connect(live, this.#snapshot(state, live.cells));
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
    this.#nextTickAt = 0;
    if (this.#state) this.#tick(this.#state);
    await this.#drain();
  }

  #tick(state: ZoneState): void {
    const now = Date.now();
    this.#lastTickAt = now;
    if (this.#caps.some((c) => c.until <= now)) {
      this.#caps = this.#caps.filter((c) => c.until > now);
      applyCaps(state, this.#caps, now);
    }
    const { changes, updated, active } = state.tick(now);
    for (const cell of updated) this.#saveCell(cell);
    this.#logMinutes(state, now, active);
    if (now - this.#lastSweepAt >= SWEEP_INTERVAL_MS) this.#sweep(state, now);
    this.#subscribers.broadcast(changes);
    if (changes.length > 0) this.#publish(changes);
    if (active) {
      this.#shareBorders(state, now);
      this.#schedule(now + state.settings.updateIntervalMs);
    }
  }

  /** Folds this tick into per-minute rows; finished minutes go to history. */
  #logMinutes(state: ZoneState, now: number, active: boolean): void {
    for (const [cell, c] of state.cells) {
      if (c.computedAt !== now) continue;
      const r = state.reading(cell, now);
      this.#minutes.observe(cell, now, { supply: r.supply, demand: r.demand, multiplier: r.shownTenths / 10 });
    }
    const minutes = this.#minutes.take(now, !active);
    const config = this.#config;
    if (minutes.length > 0 && config) this.#enqueue({ type: "surge", market: config.market.id, zone: config.zone, minutes });
  }

  #enqueue(message: HistoryMessage): void {
    this.ctx.storage.sql.exec("INSERT INTO outbox (body) VALUES (?)", JSON.stringify(message));
    this.#outboxPending = true;
  }

  /**
   * Ships the outbox to the history queue, oldest first, deleting what the queue took. When the
   * queue refuses, the rows stay and the next attempt backs off (up to a minute).
   */
  async #drain(): Promise<void> {
    if (!this.#outboxPending || Date.now() < this.#drainRetryAt) return;
    const sql = this.ctx.storage.sql;
    for (;;) {
      // A queue batch holds at most 100 messages and 256 KB: take rows until either bound.
      const rows: Array<{ seq: number; body: string }> = [];
      let bytes = 0;
      for (const row of sql.exec<{ seq: number; body: string }>("SELECT seq, body FROM outbox ORDER BY seq LIMIT 100")) {
        if (rows.length > 0 && bytes + row.body.length > MAX_BATCH_BYTES) break;
        rows.push(row);
        bytes += row.body.length;
      }
      if (rows.length === 0) {
        this.#outboxPending = false;
        this.#drainFailures = 0;
        return;
      }
      try {
        await this.env.HISTORY.sendBatch(rows.map((r) => ({ body: JSON.parse(r.body) as HistoryMessage, contentType: "json" })));
      } catch (err) {
        this.#drainFailures += 1;
        const delay = Math.min(60_000, 500 * 2 ** Math.min(this.#drainFailures, 7));
        this.#drainRetryAt = Date.now() + delay;
        console.error(
          JSON.stringify({
            level: "warn",
            zone: this.#config?.zone,
            message: "history queue refused",
            error: String(err),
            retryInMs: delay,
          }),
        );
        this.#schedule(this.#drainRetryAt);
        return;
      }
      this.#drainFailures = 0;
      sql.exec("DELETE FROM outbox WHERE seq <= ?", rows[rows.length - 1]?.seq ?? 0);
    }
  }

  /** Ticks at most once per update interval, as soon as possible after the last one. */
  #schedule(now: number): void {
    const interval = this.#state?.settings.updateIntervalMs ?? 200;
    const at = Math.max(now, this.#lastTickAt + interval);
    if (this.#nextTickAt !== 0 && this.#nextTickAt <= at) return;
    this.#nextTickAt = at;
    void this.ctx.storage.setAlarm(at);
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
      this.env.MARKET_FEEDS.getByName(market.id)
        .publish(changes)
        .catch(() => undefined),
    );
  }

  /** Sends neighbouring zones the balances of our cells they pool with theirs. */
  #shareBorders(state: ZoneState, now: number): void {
    const config = this.#config;
    if (!config || state.settings.neighbourRings === 0) return;
    for (const [zone, cells] of Object.entries(config.borders)) {
      const balances = cells.flatMap((cell) => {
        const b = state.balanceOf(cell, now);
        return b && (b.demand >= NEGLIGIBLE_DEMAND || b.supply > 0) ? [{ cell, ...b }] : [];
      });
      if (balances.length === 0) continue;
      const stub = this.env.ZONES.getByName(zoneKey(config.market.id, zone));
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
    while (!this.#state || !this.#config || this.#config.market.version < market.version) {
      this.#loading ??= this.#configure(market, zone).finally(() => {
        this.#loading = undefined;
      });
      await this.#loading;
    }
    return this.#state;
  }

  async #configure(ref: MarketRef, zone: string): Promise<void> {
    const market = await this.env.MARKETS.getByName("directory").get(ref.id);
    if (!market) throw new Error(`market ${ref.id} is not in the directory`);
    const config = zoneConfig(market, zone);
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
    for (const d of sql.exec<{ id: string; cell: string; available: number; at: number }>(
      "SELECT id, cell, available, at FROM drivers ORDER BY at",
    )) {
      state.drivers.set(d.id, { cell: d.cell, available: d.available === 1, at: d.at });
    }
    for (const c of sql.exec<{
      cell: string;
      demand: number;
      demand_at: number;
      smoothed: number;
      shown: number;
      seq: number;
      computed_at: number;
    }>("SELECT * FROM cells")) {
      if (!cells.has(c.cell)) continue;
      state.cells.set(c.cell, {
        demand: c.demand,
        demandAt: c.demand_at,
        smoothed: c.smoothed,
        shownTenths: c.shown,
        seq: c.seq,
        computedAt: c.computed_at,
      });
    }
    const now = Date.now();
    state.refreshSupply(now);
    const caps = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'emergency'").toArray()[0];
    this.#caps = caps ? (JSON.parse(caps.value) as EmergencyCap[]) : [];
    applyCaps(state, this.#caps, now);
    this.#state = state;
    this.#schedule(now);
  }
}

export interface EmergencyCap {
  cap: number;
  /** Cells covered; null for the whole market. */
  cells: string[] | null;
  until: number;
}

/** The lowest live cap wins, per cell and for the zone as a whole. */
function applyCaps(state: ZoneState, caps: EmergencyCap[], now: number): void {
  const live = caps.filter((c) => c.until > now);
  const whole = live.filter((c) => c.cells === null).map((c) => c.cap);
  state.emergencyCap = whole.length > 0 ? Math.min(...whole) : undefined;
  state.cellCaps.clear();
  for (const c of live) {
    for (const cell of c.cells ?? []) {
      if (!state.ownCells.has(cell)) continue;
      state.cellCaps.set(cell, Math.min(c.cap, state.cellCaps.get(cell) ?? Number.POSITIVE_INFINITY));
    }
  }
}

/** What a zone needs of its market: its own cells, its borders, its surge settings. */
export function zoneConfig(market: Market, zone: string): ZoneConfig {
  const marketCells = new Set(geofenceCells(market.geofence, market.resolution));
  const own = [...marketCells].filter((c) => zoneOf(c, market.zoneResolution) === zone);
  const ownSet = new Set(own);
  const borders: Record<string, Set<string>> = {};
  for (const cell of own) {
    for (const ring of neighbourRings(cell, market.surge.neighbourRings).slice(1)) {
      for (const other of ring) {
        if (ownSet.has(other) || !marketCells.has(other)) continue;
        const otherZone = zoneOf(other, market.zoneResolution);
        const set = borders[otherZone] ?? new Set<string>();
        set.add(cell);
        borders[otherZone] = set;
      }
    }
  }
  return {
    market: { id: market.id, version: market.version },
    zone,
    cells: own,
    borders: Object.fromEntries(Object.entries(borders).map(([z, s]) => [z, [...s]])),
    surge: market.surge,
  };
}
