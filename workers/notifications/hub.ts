import { DurableObject } from "cloudflare:workers";
import { cellToParent } from "h3-js";
import { httpDatabase } from "../../db/client";
import { marketSubscriptionsSql } from "../../db/notifications";
import { Outbox } from "../../durable-objects/outbox";
import type { DeliveryRecord } from "../../shared/contracts/notifications";
import { zoneStub } from "../../shared/contracts/objects";
import { backoffMs } from "../../shared/kit/backoff";
import { hears, type Notice, watchLists } from "../../shared/notifications/matching";
import { describeNotice } from "../../shared/notifications/messages";
import { MAX_QUEUE_DELAY_MS, sendAt } from "../../shared/notifications/schedule";
import { listening, type StoredSubscription } from "../../shared/notifications/subscription";
import type { SendResult } from "./channels/port";

/**
 * A market's notification hub (one Durable Object per market, the notifications worker's own):
 * the market's subscriptions held for matching without a database round trip, and every
 * delivery's state from the notice that opened it to the provider's answer.
 *
 *   accept(notices) ─ match ─ once per (subscription, notice) ─▶ a delivery, scheduled
 *       (digest, frequency limit, quiet hours: `shared/notifications/schedule.ts`)
 *   dispatch ─▶ a delivery job on the worker's queue, delayed to its time (≤ 12 h; later ones wait
 *       for this object's alarm)
 *   claim(ids) ─▶ the worker sends ─▶ settle: sent | retry later (backoff) | parked with a reason
 *       (a permanent failure also disables the target)
 *
 * A delivery is claimed by one sender at a time for a lease; one whose job went missing or whose
 * sender vanished is dispatched again by the alarm. Each state goes to the delivery log in
 * Postgres through this object's outbox (to the worker's own queue, confirmed back like history).
 * Zones are told which cells and thresholds to watch, so a market nobody subscribed in publishes
 * nothing.
 */

/** How long a claimed delivery is the claimant's: far above a provider call's timeout. */
const LEASE_MS = 60_000;
/** A dispatched delivery still unclaimed this long after its time: its job went missing, dispatch again. */
const DISPATCH_TIMEOUT_MS = 60_000;
/** Retries of a retryable failure before the delivery is parked. */
export const MAX_ATTEMPTS = 10;
/** Backoff between a delivery's attempts (with jitter): about two hours in all before parking. */
export const DELIVERY_RETRY = { initialMs: 1_000, maxMs: 20 * 60_000 };
/** Subscriptions are read again from Postgres this often (catching any change a push missed). */
const SYNC_MS = 5 * 60_000;
/** A zone that could not be told what to watch is told again after this. */
const WATCH_RETRY_MS = 5_000;
/** Settled deliveries and seen notices are kept this long (redeliveries come within minutes). */
const KEEP_MS = 7 * 86_400_000;

export type DeliveryStatus = "scheduled" | "claimed" | "sent" | "parked" | "cancelled";

/** What a sender gets for a claimed delivery. */
export interface Claimed {
  id: string;
  claim: string;
  attempts: number;
  subscription: StoredSubscription;
  notices: Notice[];
}

export interface Settlement {
  id: string;
  claim: string;
  result: SendResult;
}

type DeliveryRow = {
  id: string;
  subscription: string;
  owner: string;
  status: DeliveryStatus;
  send_at: number;
  attempts: number;
  notices: string;
  claim: string | null;
  claim_until: number;
  dispatched_at: number | null;
  last_error: string | null;
  sent_at: number | null;
  version: number;
};

export interface HubSummary {
  subscriptions: number;
  deliveries: Record<DeliveryStatus, number>;
  parked: Array<{ id: string; subscription: string; reason: string | null }>;
}

export class NotificationHub extends DurableObject<NotificationsEnv> {
  #market: string | undefined;
  #subscriptions = new Map<string, StoredSubscription>();
  /** Cell → subscriptions whose area holds it. */
  #byCell = new Map<string, Set<string>>();
  /** Whole-market topics' subscriptions. */
  #marketWide = new Set<string>();
  readonly #outbox: Outbox;
  #syncing: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: NotificationsEnv) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, subscription TEXT NOT NULL, owner TEXT NOT NULL,
        status TEXT NOT NULL, send_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, notices TEXT NOT NULL,
        claim TEXT, claim_until INTEGER NOT NULL DEFAULT 0, dispatched_at INTEGER, last_error TEXT, sent_at INTEGER,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries (status, send_at);
      CREATE INDEX IF NOT EXISTS deliveries_subscription ON deliveries (subscription, status);
      CREATE INDEX IF NOT EXISTS deliveries_owner ON deliveries (owner, send_at);
      CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
      CREATE TABLE IF NOT EXISTS watch (zone TEXT PRIMARY KEY, cells TEXT NOT NULL, pushed INTEGER NOT NULL) WITHOUT ROWID;`);
    this.#market = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'market'").toArray()[0]?.value;
    for (const row of sql.exec<{ body: string }>("SELECT body FROM subscriptions"))
      this.#index(JSON.parse(row.body) as StoredSubscription);
    const hub = this;
    this.#outbox = new Outbox({
      sql,
      queues: { notifications: env.NOTIFICATIONS },
      get origin() {
        return { host: "notifications" as const, name: hub.#market ?? "" };
      },
    });
    void this.#rearm();
  }

  // ── Subscriptions ──

  /** A subscription created or changed (the API, after writing Postgres): held from now on, if newer. */
  async upsert(market: string, subscription: StoredSubscription): Promise<void> {
    this.#named(market);
    this.#store(subscription);
    await this.#pushWatch();
    await this.#rearm();
  }

  /** A subscription deleted: it hears nothing more; what it had waiting is cancelled. */
  async remove(market: string, id: string, version: number): Promise<void> {
    this.#named(market);
    const s = this.#subscriptions.get(id);
    if (!s || s.version >= version) return;
    this.#store({ ...s, status: "deleted", version });
    await this.#pushWatch();
    await this.#rearm();
  }

  /** Loads the market's subscriptions from Postgres (on first use, then every few minutes). */
  async sync(market: string): Promise<number> {
    this.#named(market);
    this.#syncing ??= this.#load(market).finally(() => {
      this.#syncing = undefined;
    });
    await this.#syncing;
    return this.#subscriptions.size;
  }

  async #load(market: string): Promise<void> {
    const now = Date.now();
    const result = await httpDatabase(this.env).execute(marketSubscriptionsSql(market, now));
    const held = new Set<string>();
    for (const row of result.rows as Array<{ body: StoredSubscription }>) {
      held.add(row.body.id);
      this.#store(row.body);
    }
    // Held here but no longer live in Postgres (deleted, expired): drop.
    for (const s of [...this.#subscriptions.values()])
      if (!held.has(s.id) && s.status !== "deleted" && s.status !== "disabled")
        this.#store({ ...s, status: "deleted", version: Math.max(s.version + 1, now) });
    this.#setMeta("syncedAt", String(now));
    await this.#pushWatch();
  }

  #store(s: StoredSubscription): void {
    const held = this.#subscriptions.get(s.id);
    if (held && held.version >= s.version) return;
    const sql = this.ctx.storage.sql;
    if (s.status === "deleted") {
      sql.exec("DELETE FROM subscriptions WHERE id = ?", s.id);
      this.#unindex(s.id);
      this.#cancelWaiting(s.id, "the subscription was deleted");
      return;
    }
    sql.exec(
      "INSERT INTO subscriptions (id, body, version) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = excluded.version",
      s.id,
      JSON.stringify(s),
      s.version,
    );
    this.#index(s);
  }

  #index(s: StoredSubscription): void {
    this.#unindex(s.id);
    this.#subscriptions.set(s.id, s);
    // Hotspots are about the whole market (an area only filters them): every one is a candidate.
    if (s.cells.length === 0 || s.topic === "hotspots") this.#marketWide.add(s.id);
    for (const cell of s.cells) {
      const ids = this.#byCell.get(cell) ?? new Set<string>();
      ids.add(s.id);
      this.#byCell.set(cell, ids);
    }
  }

  #unindex(id: string): void {
    const s = this.#subscriptions.get(id);
    if (!s) return;
    this.#subscriptions.delete(id);
    this.#marketWide.delete(id);
    for (const cell of s.cells) {
      const ids = this.#byCell.get(cell);
      ids?.delete(id);
      if (ids?.size === 0) this.#byCell.delete(cell);
    }
  }

  /**
   * Tells each zone what to watch (cells and thresholds of live surge subscriptions), only where
   * that changed; a zone that cannot be told now is told again by the alarm.
   */
  async #pushWatch(): Promise<void> {
    const market = this.#market;
    if (!market) return;
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    const wanted = watchLists(this.#subscriptions.values(), (cell) => this.#zoneOf(cell), now);
    const known = new Map(
      sql
        .exec<{ zone: string; cells: string; pushed: number }>("SELECT zone, cells, pushed FROM watch")
        .toArray()
        .map((r) => [r.zone, r]),
    );
    const changed: Array<[string, Record<string, number[]>]> = [];
    for (const zone of new Set([...wanted.keys(), ...known.keys()])) {
      const cells = wanted.get(zone) ?? {};
      const text = JSON.stringify(cells);
      const row = known.get(zone);
      if (row && row.cells === text && row.pushed === 1) continue;
      sql.exec(
        "INSERT INTO watch (zone, cells, pushed) VALUES (?, ?, 0) ON CONFLICT (zone) DO UPDATE SET cells = excluded.cells, pushed = 0",
        zone,
        text,
      );
      changed.push([zone, cells]);
    }
    await Promise.all(
      changed.map(async ([zone, cells]) => {
        try {
          await (zoneStub(this.env, market, zone) as unknown as ZoneWatch).watchCells({ id: market, version: 0 }, zone, cells);
          if (Object.keys(cells).length === 0) sql.exec("DELETE FROM watch WHERE zone = ? AND cells = '{}'", zone);
          else sql.exec("UPDATE watch SET pushed = 1 WHERE zone = ? AND cells = ?", zone, JSON.stringify(cells));
        } catch (err) {
          console.error(
            JSON.stringify({ level: "warn", message: "could not tell a zone what to watch", zone, error: String(err) }),
          );
        }
      }),
    );
  }

  /** A watched cell's zone, at the resolution its subscriptions were resolved with. */
  #zoneOf(cell: string): string {
    const id = this.#byCell.get(cell)?.values().next().value;
    const s = id === undefined ? undefined : this.#subscriptions.get(id);
    return s ? cellToParent(cell, s.zoneResolution) : cell;
  }

  // ── Notices in ──

  /**
   * Notices of this market: each (subscription, notice) pair that matches becomes part of a
   * delivery once, however often the notice arrives. Returns how many pairs were new.
   */
  async accept(market: string, notices: Notice[]): Promise<{ matched: number; duplicates: number }> {
    this.#named(market);
    if (this.ctx.storage.sql.exec("SELECT 1 FROM meta WHERE key = 'syncedAt'").toArray().length === 0)
      await this.sync(market).catch((err) =>
        console.error(JSON.stringify({ level: "warn", message: "sync failed", error: String(err) })),
      );
    const now = Date.now();
    let matched = 0;
    let duplicates = 0;
    const log: DeliveryRecord[] = [];
    for (const notice of notices) {
      const candidates = notice.cell === undefined ? this.#marketWide : (this.#byCell.get(notice.cell) ?? new Set<string>());
      for (const id of candidates) {
        const s = this.#subscriptions.get(id);
        if (!s || !hears(s, notice, now)) continue;
        const fresh = this.ctx.storage.sql
          .exec("INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?) RETURNING key", `${s.id}\u0000${notice.id}`, now)
          .toArray();
        if (fresh.length === 0) {
          duplicates += 1;
          continue;
        }
        matched += 1;
        log.push(this.#gather(s, notice, now));
      }
    }
    this.#log(log, now);
    if (log.length > 0) await this.#dispatch(now);
    await this.#rearm();
    return { matched, duplicates };
  }

  /** Adds a notice to the subscription's waiting delivery (a digest), or opens one at the time its rules allow. */
  #gather(s: StoredSubscription, notice: Notice, now: number): DeliveryRecord {
    const sql = this.ctx.storage.sql;
    const open = sql
      .exec<DeliveryRow>(
        "SELECT * FROM deliveries WHERE subscription = ? AND status = 'scheduled' AND attempts = 0 ORDER BY send_at LIMIT 1",
        s.id,
      )
      .toArray()[0];
    if (open) {
      const notices = [...(JSON.parse(open.notices) as Notice[]), notice];
      sql.exec("UPDATE deliveries SET notices = ?, version = ? WHERE id = ?", JSON.stringify(notices), now, open.id);
      return this.#record({ ...open, notices: JSON.stringify(notices), version: now }, s);
    }
    const times = sql
      .exec<{ t: number }>(
        `SELECT coalesce(sent_at, send_at) AS t FROM deliveries WHERE owner = ? AND status IN ('scheduled', 'claimed', 'sent')
         AND coalesce(sent_at, send_at) > ?`,
        s.owner,
        now - s.limit.minutes * 60_000,
      )
      .toArray()
      .map((r) => r.t);
    const row: DeliveryRow = {
      id: `dlv_${crypto.randomUUID().replaceAll("-", "")}`,
      subscription: s.id,
      owner: s.owner,
      status: "scheduled",
      send_at: sendAt(s, now, times),
      attempts: 0,
      notices: JSON.stringify([notice]),
      claim: null,
      claim_until: 0,
      dispatched_at: null,
      last_error: null,
      sent_at: null,
      version: now,
    };
    sql.exec(
      `INSERT INTO deliveries (id, subscription, owner, status, send_at, attempts, notices, created_at, version)
       VALUES (?, ?, ?, 'scheduled', ?, 0, ?, ?, ?)`,
      row.id,
      row.subscription,
      row.owner,
      row.send_at,
      row.notices,
      now,
      now,
    );
    return this.#record(row, s);
  }

  // ── Dispatching and sending ──

  /**
   * Puts due deliveries on the worker's queue, each delayed to its time: never dispatched, or
   * dispatched and still unclaimed well after their time (the job went missing). Deliveries due
   * beyond the queue's 12 h wait for the alarm.
   */
  async #dispatch(now: number): Promise<void> {
    const market = this.#market;
    if (!market) return;
    const sql = this.ctx.storage.sql;
    const due = sql
      .exec<{ id: string; send_at: number }>(
        `SELECT id, send_at FROM deliveries WHERE status = 'scheduled' AND send_at <= ?
         AND (dispatched_at IS NULL OR (send_at < ? AND dispatched_at < ?)) ORDER BY send_at LIMIT 2000`,
        now + MAX_QUEUE_DELAY_MS,
        now - DISPATCH_TIMEOUT_MS,
        now - DISPATCH_TIMEOUT_MS,
      )
      .toArray();
    for (let i = 0; i < due.length; i += 100) {
      const slice = due.slice(i, i + 100);
      try {
        await this.env.NOTIFICATIONS.sendBatch(
          slice.map((d) => ({
            body: { type: "deliver", market, ids: [d.id] } satisfies DeliverJob,
            contentType: "json" as const,
            delaySeconds: Math.max(0, Math.ceil((d.send_at - now) / 1000)),
          })),
        );
        sql.exec(
          "UPDATE deliveries SET dispatched_at = ? WHERE id IN (SELECT value FROM json_each(?))",
          now,
          JSON.stringify(slice.map((d) => d.id)),
        );
      } catch (err) {
        console.error(
          JSON.stringify({ level: "warn", message: "could not dispatch deliveries; the alarm retries", error: String(err) }),
        );
        return;
      }
    }
  }

  /** Deliveries a sender takes, for a lease: only those scheduled and due (a job early or late is put right). */
  async claim(market: string, ids: string[]): Promise<Claimed[]> {
    this.#named(market);
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    const out: Claimed[] = [];
    const log: DeliveryRecord[] = [];
    for (const row of sql
      .exec<DeliveryRow>(
        "SELECT * FROM deliveries WHERE id IN (SELECT value FROM json_each(?)) AND status = 'scheduled'",
        JSON.stringify(ids),
      )
      .toArray()) {
      if (row.send_at > now + 1_000) {
        sql.exec("UPDATE deliveries SET dispatched_at = NULL WHERE id = ?", row.id); // not yet: dispatched again to its time
        continue;
      }
      const s = this.#subscriptions.get(row.subscription);
      if (s?.status !== "active") {
        sql.exec(
          "UPDATE deliveries SET status = 'parked', last_error = ?, version = ? WHERE id = ?",
          s ? `the target is disabled: ${s.statusReason ?? ""}` : "the subscription is gone",
          now,
          row.id,
        );
        if (s)
          log.push(
            this.#record(
              { ...row, status: "parked", last_error: `the target is disabled: ${s.statusReason ?? ""}`, version: now },
              s,
            ),
          );
        continue;
      }
      const claim = crypto.randomUUID();
      sql.exec(
        "UPDATE deliveries SET status = 'claimed', claim = ?, claim_until = ? WHERE id = ?",
        claim,
        now + LEASE_MS,
        row.id,
      );
      out.push({ id: row.id, claim, attempts: row.attempts, subscription: s, notices: JSON.parse(row.notices) as Notice[] });
    }
    this.#log(log, now);
    await this.#dispatch(now);
    await this.#rearm();
    return out;
  }

  /** A sender's answers. A claim that is no longer the sender's (its lease ran out) changes nothing. */
  async settle(market: string, settlements: Settlement[]): Promise<void> {
    this.#named(market);
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    const log: DeliveryRecord[] = [];
    let disabled = false;
    for (const { id, claim, result } of settlements) {
      const row = sql
        .exec<DeliveryRow>("SELECT * FROM deliveries WHERE id = ? AND status = 'claimed' AND claim = ?", id, claim)
        .toArray()[0];
      if (!row) continue;
      const s = this.#subscriptions.get(row.subscription);
      const attempts = row.attempts + 1;
      let next: DeliveryRow;
      if (result.kind === "sent") next = { ...row, status: "sent", attempts, sent_at: now, last_error: null };
      else if (result.kind === "retry" && attempts < MAX_ATTEMPTS)
        next = {
          ...row,
          status: "scheduled",
          attempts,
          send_at: now + (result.afterMs ?? backoffMs(attempts - 1, DELIVERY_RETRY)),
          dispatched_at: null,
          last_error: result.reason,
        };
      else {
        const reason = result.kind === "retry" ? `gave up after ${attempts} attempts: ${result.reason}` : result.reason;
        next = { ...row, status: "parked", attempts, last_error: reason };
        if (result.kind === "failed" && result.disable && s && s.status === "active") {
          this.#disable(s, reason, now, log);
          disabled = true;
        }
      }
      next = { ...next, claim: null, claim_until: 0, version: now };
      sql.exec(
        `UPDATE deliveries SET status = ?, attempts = ?, send_at = ?, dispatched_at = ?, last_error = ?, sent_at = ?,
         claim = NULL, claim_until = 0, version = ? WHERE id = ?`,
        next.status,
        next.attempts,
        next.send_at,
        next.dispatched_at,
        next.last_error,
        next.sent_at,
        now,
        id,
      );
      if (s) log.push(this.#record(next, s));
    }
    this.#log(log, now);
    if (disabled) await this.#pushWatch();
    await this.#dispatch(now);
    await this.#rearm();
  }

  /** A permanent failure: the target is disabled, its waiting deliveries parked with the reason. */
  #disable(s: StoredSubscription, reason: string, now: number, log: DeliveryRecord[]): void {
    const disabled: StoredSubscription = {
      ...s,
      status: "disabled",
      statusReason: reason,
      version: Math.max(now, s.version + 1),
    };
    this.#store(disabled);
    const sql = this.ctx.storage.sql;
    for (const row of sql
      .exec<DeliveryRow>("SELECT * FROM deliveries WHERE subscription = ? AND status = 'scheduled'", s.id)
      .toArray()) {
      sql.exec(
        "UPDATE deliveries SET status = 'parked', last_error = ?, version = ? WHERE id = ?",
        `the target is disabled: ${reason}`,
        now,
        row.id,
      );
      log.push(
        this.#record({ ...row, status: "parked", last_error: `the target is disabled: ${reason}`, version: now }, disabled),
      );
    }
    this.#outbox.add(
      { type: "subscription-state", market: s.market, subscription: s.id, status: "disabled", reason, at: disabled.version },
      now,
      "notifications",
    );
  }

  /**
   * The dead letters' replay for one subscription (after its owner fixed the target): it is
   * enabled again, and its parked deliveries are sent now.
   */
  async replay(market: string, subscriptionId: string): Promise<{ replayed: number; enabled: boolean }> {
    this.#named(market);
    const now = Date.now();
    const s = this.#subscriptions.get(subscriptionId);
    if (!s) return { replayed: 0, enabled: false };
    let enabled = false;
    let current = s;
    if (s.status === "disabled") {
      current = { ...s, status: "active", statusReason: null, version: Math.max(now, s.version + 1) };
      this.#store(current);
      this.#outbox.add(
        { type: "subscription-state", market, subscription: s.id, status: "active", reason: null, at: current.version },
        now,
        "notifications",
      );
      enabled = true;
    }
    const sql = this.ctx.storage.sql;
    const rows = sql.exec<DeliveryRow>("SELECT * FROM deliveries WHERE subscription = ? AND status = 'parked'", s.id).toArray();
    const log: DeliveryRecord[] = [];
    for (const row of rows) {
      sql.exec(
        "UPDATE deliveries SET status = 'scheduled', attempts = 0, send_at = ?, dispatched_at = NULL, version = ? WHERE id = ?",
        now,
        now,
        row.id,
      );
      log.push(this.#record({ ...row, status: "scheduled", attempts: 0, send_at: now, version: now }, current));
    }
    this.#log(log, now);
    if (enabled) await this.#pushWatch();
    await this.#dispatch(now);
    await this.#rearm();
    return { replayed: rows.length, enabled };
  }

  /** Counts by state and the parked deliveries with their reasons (operators, tests, the benchmark). */
  summary(): HubSummary {
    const deliveries = { scheduled: 0, claimed: 0, sent: 0, parked: 0, cancelled: 0 } as Record<DeliveryStatus, number>;
    for (const r of this.ctx.storage.sql.exec<{ status: DeliveryStatus; n: number }>(
      "SELECT status, count(*) AS n FROM deliveries GROUP BY status",
    ))
      deliveries[r.status] = r.n;
    const parked = this.ctx.storage.sql
      .exec<{ id: string; subscription: string; last_error: string | null }>(
        "SELECT id, subscription, last_error FROM deliveries WHERE status = 'parked' ORDER BY send_at LIMIT 100",
      )
      .toArray()
      .map((r) => ({ id: r.id, subscription: r.subscription, reason: r.last_error }));
    return { subscriptions: this.#subscriptions.size, deliveries, parked };
  }

  /** The worker's word that these log rows are in Postgres. */
  confirm(seqs: number[]): number {
    return this.#outbox.confirm(seqs, Date.now());
  }

  // ── The alarm ──

  override async alarm(): Promise<void> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    // Claims whose sender vanished: scheduled again (the provider's idempotency key is the delivery's id).
    sql.exec(
      "UPDATE deliveries SET status = 'scheduled', claim = NULL, claim_until = 0, dispatched_at = NULL WHERE status = 'claimed' AND claim_until < ?",
      now,
    );
    await this.#dispatch(now);
    const expired = [...this.#subscriptions.values()].filter((s) => !listening(s, now) && s.status === "active");
    if (expired.length > 0 || sql.exec("SELECT 1 FROM watch WHERE pushed = 0 LIMIT 1").toArray().length > 0)
      await this.#pushWatch();
    const synced = Number(this.#meta("syncedAt") ?? 0);
    if (this.#market && this.#subscriptions.size > 0 && now - synced >= SYNC_MS)
      await this.sync(this.#market).catch(() => this.#setMeta("syncedAt", String(now - SYNC_MS + WATCH_RETRY_MS)));
    sql.exec("DELETE FROM seen WHERE at < ?", now - KEEP_MS);
    sql.exec("DELETE FROM deliveries WHERE status IN ('sent', 'cancelled') AND version < ?", now - KEEP_MS);
    await this.#outbox.drain(now);
    await this.#rearm(true);
  }

  /** The alarm serves the earliest of: a dispatch, a lost job or claim, an expiry, a zone to tell, the outbox, a sync. */
  async #rearm(fromAlarm = false): Promise<void> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<{ undispatched: number | null; dispatched: number | null; claimed: number | null }>(
        `SELECT min(CASE WHEN dispatched_at IS NULL THEN send_at END) AS undispatched,
                min(CASE WHEN dispatched_at IS NOT NULL THEN send_at END) AS dispatched,
                (SELECT min(claim_until) FROM deliveries WHERE status = 'claimed') AS claimed
         FROM deliveries WHERE status = 'scheduled'`,
      )
      .one();
    const expiries = [...this.#subscriptions.values()].flatMap((s) =>
      s.status === "active" && s.expiresAt !== null ? [s.expiresAt] : [],
    );
    const candidates = [
      row.undispatched === null ? Number.POSITIVE_INFINITY : Math.max(now + 1_000, row.undispatched - MAX_QUEUE_DELAY_MS),
      row.dispatched === null ? Number.POSITIVE_INFINITY : row.dispatched + DISPATCH_TIMEOUT_MS,
      row.claimed ?? Number.POSITIVE_INFINITY,
      Math.min(Number.POSITIVE_INFINITY, ...expiries),
      sql.exec("SELECT 1 FROM watch WHERE pushed = 0 LIMIT 1").toArray().length > 0
        ? now + WATCH_RETRY_MS
        : Number.POSITIVE_INFINITY,
      this.#outbox.nextDue(now) ?? Number.POSITIVE_INFINITY,
      this.#subscriptions.size > 0 ? Number(this.#meta("syncedAt") ?? 0) + SYNC_MS : Number.POSITIVE_INFINITY,
    ];
    const due = Math.max(now, Math.min(...candidates));
    if (due === Number.POSITIVE_INFINITY) return;
    const current = fromAlarm ? null : await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  // ── Helpers ──

  /** A delivery's row as the log's record. */
  #record(row: DeliveryRow, s: StoredSubscription): DeliveryRecord {
    const notices = JSON.parse(row.notices) as Notice[];
    return {
      id: row.id,
      subscription: s.id,
      market: s.market,
      topic: s.topic,
      channel: s.channel,
      status: row.status === "claimed" ? "scheduled" : row.status === "scheduled" && row.attempts > 0 ? "retrying" : row.status,
      notices: notices.map((n) => ({ id: n.id, at: n.at, summary: describeNotice(n) })),
      attempts: row.attempts,
      sendAt: row.send_at,
      sentAt: row.sent_at,
      lastError: row.last_error,
      locale: s.locale,
      version: row.version,
    };
  }

  #log(records: DeliveryRecord[], now: number): void {
    if (records.length === 0 || !this.#market) return;
    this.#outbox.add({ type: "notification-log", market: this.#market, deliveries: records }, now, "notifications");
  }

  #cancelWaiting(subscription: string, reason: string): void {
    this.ctx.storage.sql.exec(
      "UPDATE deliveries SET status = 'cancelled', last_error = ?, version = ? WHERE subscription = ? AND status IN ('scheduled', 'parked')",
      reason,
      Date.now(),
      subscription,
    );
  }

  /** Learns the market's id (objects do not know their own names). */
  #named(market: string): void {
    if (this.#market === market) return;
    this.#market = market;
    this.#setMeta("market", market);
  }

  #meta(key: string): string | undefined {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  #setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}

/** A delivery job on the worker's queue: deliveries of one market to claim and send. */
export interface DeliverJob {
  type: "deliver";
  market: string;
  ids: string[];
}

/** What a zone answers for notifications (its class lives in the API's script). */
interface ZoneWatch {
  watchCells(market: { id: string; version: number }, zone: string, cells: Record<string, number[]>): Promise<void>;
}
