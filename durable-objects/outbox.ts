import {
  type Destination,
  envelopeText,
  HISTORY_RETRY,
  MAX_BATCH_BYTES,
  MAX_BATCH_MESSAGES,
  type Origin,
  type OutboxMessage,
  toTexts,
  utf8Length,
} from "../shared/contracts/history";
import { backoffMs } from "../shared/kit/backoff";

/**
 * A durable outbox: history a Durable Object has accepted, kept in the object's own SQLite
 * until the history writer confirms it reached Postgres. One mechanism for every object that
 * produces history (zones, the system-mode object, the edge's ledger shards); each hosts one.
 *
 * - **Written with the change it records**: `add` runs inside the host's storage transaction
 *   (the same synchronous turn as the replay guard or the override), so a change that is
 *   stored has its history stored with it.
 * - **Kept until confirmed**: `drain` sends rows to the history queue and keeps them; the
 *   consumer calls the host's `confirm(seqs)` after its Postgres transaction commits. A row sent
 *   but never confirmed (a queue that lost it — the local one lives in memory — or a consumer
 *   that crashed) is sent again once confirmations have stalled for `RESEND_AFTER_MS`, with
 *   growing delays, and at once when the object starts again. Correctness never rests on the queue's memory; the consumer's writes are
 *   idempotent, so a second delivery changes nothing.
 * - **Sized in bytes**: a message is split at `add` until each row is under the queue's message
 *   limit in UTF-8 bytes, and a batch is packed under the batch limit, so no row can be refused
 *   for its size.
 * - **Poison isolated**: when a batch is refused, the next attempts send smaller batches; a
 *   single row that is refused is moved back by its own backoff so its neighbours go on. Rows the
 *   *consumer* cannot store are parked there, with their reason, and confirmed.
 * - **Bounded**: `backlog()` says how much waits and for how long; hosts refuse new work with a
 *   retryable answer once `full` (nothing accepted is ever dropped to make room).
 */

/**
 * A new row waits this long before it is sent, so a busy object sends a few large batches
 * rather than a queue call per quote or per event batch (history follows a moment later).
 */
export const LINGER_MS = 100;

/** Confirmations missing this long mean the pipeline stalled: sent rows go again. */
export const RESEND_AFTER_MS = 15_000;
/** Above this many bytes waiting, the host reports its backlog as backed up. */
export const HIGH_WATER_BYTES = 8 * 1024 * 1024;
/** Above this many bytes waiting, the host refuses new work (retryable) rather than grow further. */
export const FULL_BYTES = 64 * 1024 * 1024;

/** Rows per drain before yielding to the host's other work. */
const ROWS_PER_DRAIN = 2_000;
/** Bytes the envelope adds to a row's text, at most (origin name ≤ 200 bytes). */
const ENVELOPE_BYTES = 320;

export interface OutboxHost {
  readonly sql: SqlStorage;
  /** The queue of each destination this host sends to: the history writer's, and any other it adds to. */
  readonly queues: Readonly<Partial<Record<Destination, Queue>>>;
  /** Who the consumer confirms to (read when sending: a zone learns its name once configured). */
  readonly origin: Origin;
  /** The clock of retries and resends (tests); Date.now by default. */
  readonly clock?: () => number;
  /**
   * The market whose operators hear when this backlog backs up (a zone's): with a notifications
   * queue, each crossing is also a `backlog` message to it. Undefined: only the log line.
   */
  readonly market?: string;
}

export interface Backlog {
  /** Rows accepted and not yet confirmed in Postgres. */
  pending: number;
  bytes: number;
  /** Age of the oldest pending row. */
  oldestAgeMs: number | null;
  /** Sent and waiting for confirmation (the rest wait to be sent). */
  inFlight: number;
  status: "ok" | "backed-up" | "full";
}

export class Outbox {
  readonly #host: OutboxHost;
  #pending = 0;
  #bytes = 0;
  #draining = false;
  #failures = 0;
  #retryAt = 0;
  #batchLimit = MAX_BATCH_MESSAGES;
  #status: Backlog["status"] = "ok";
  /** The level operators were last told of: up at each mark, back to ok only well below the first. */
  #announced: Backlog["status"] = "ok";
  /** The next due time as last computed (undefined: nothing waits), or null when it must be read again. */
  #due_: number | undefined | null = null;
  /** Since the object started, or the last confirmation: 0 makes a fresh start resend at once. */
  #lastConfirmedAt = 0;

  readonly #clock: () => number;

  constructor(host: OutboxHost) {
    this.#host = host;
    this.#clock = host.clock ?? Date.now;
    const sql = host.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)");
    // Outboxes created before confirmations had only (seq, body): add the bookkeeping columns.
    const columns = ["bytes", "created_at", "due_at", "attempts", "refusals"].map((c) => `${c} INTEGER NOT NULL DEFAULT 0`);
    for (const column of [...columns, "destination TEXT NOT NULL DEFAULT 'history'"]) {
      try {
        sql.exec(`ALTER TABLE outbox ADD COLUMN ${column}`);
      } catch {
        // already there
      }
    }
    // attempts = 0: not yet taken by the queue; attempts > 0: sent, waiting for its confirmation.
    sql.exec(`CREATE INDEX IF NOT EXISTS outbox_fresh ON outbox (due_at, seq) WHERE attempts = 0;
      CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at) WHERE attempts > 0;`);
    const totals = sql.exec<{ n: number; bytes: number | null }>("SELECT count(*) AS n, sum(bytes) AS bytes FROM outbox").one();
    this.#pending = totals.n;
    this.#bytes = totals.bytes ?? 0;
    // A fresh start (a crash, a restart, an eviction) cannot know whether what it sent arrived:
    // rows still unconfirmed go again at once. A second delivery changes nothing.
    const now = this.#clock();
    if (this.#pending > 0) sql.exec("UPDATE outbox SET due_at = ? WHERE attempts > 0 AND due_at > ?", now, now);
    // A restart while backed up was told already: only its end is news.
    this.#status = this.#announced = this.#statusNow();
  }

  /**
   * Stores a message for a destination (history by default), split to fit the queue's limits.
   * Call inside the change's storage turn.
   */
  add(message: OutboxMessage, now: number, destination: Destination = "history"): void {
    for (const text of toTexts(message)) {
      const bytes = utf8Length(text);
      this.#host.sql.exec(
        "INSERT INTO outbox (body, bytes, created_at, due_at, attempts, destination) VALUES (?, ?, ?, ?, 0, ?)",
        text,
        bytes,
        now,
        now + LINGER_MS,
        destination,
      );
      this.#pending += 1;
      this.#bytes += bytes;
    }
    if (this.#due_ !== null) this.#due_ = Math.min(this.#due_ ?? Number.POSITIVE_INFINITY, now + LINGER_MS);
    this.#watch();
  }

  /** True when the host should refuse new work until the backlog shrinks. */
  get full(): boolean {
    return this.#bytes > FULL_BYTES;
  }

  get pending(): number {
    return this.#pending;
  }

  /** When the host's alarm should next call `drain`, or undefined when nothing waits. */
  nextDue(now: number): number | undefined {
    if (this.#pending === 0) return undefined;
    if (this.#due_ === null) this.#due_ = this.#readDue();
    return this.#due_ === undefined ? undefined : Math.max(now, this.#retryAt, this.#due_);
  }

  /** The earliest time anything is due: the oldest unsent row's, or a resend once confirmations stall. */
  #readDue(): number | undefined {
    const sql = this.#host.sql;
    const fresh = sql.exec<{ due: number | null }>("SELECT min(due_at) AS due FROM outbox WHERE attempts = 0").one().due;
    const sent = sql.exec<{ due: number | null }>("SELECT min(due_at) AS due FROM outbox WHERE attempts > 0").one().due;
    const candidates = [
      ...(fresh === null ? [] : [fresh]),
      ...(sent === null ? [] : [Math.max(sent, this.#lastConfirmedAt + RESEND_AFTER_MS)]),
    ];
    return candidates.length === 0 ? undefined : Math.min(...candidates);
  }

  /**
   * Sends what is due to the history queue: rows never sent, and — once confirmations have
   * stalled — rows sent long enough ago. Never runs twice at once; a refusal backs off.
   */
  async drain(now: number, options: { all?: boolean } = {}): Promise<void> {
    if (this.#draining || this.#pending === 0 || now < this.#retryAt) return;
    this.#draining = true;
    this.#due_ = null;
    try {
      let sent = 0;
      while (sent < ROWS_PER_DRAIN) {
        // `all`: a stopping platform does not wait out the linger.
        const rows = this.#due(this.#clock() + (options.all ? LINGER_MS : 0));
        const destination = rows[0]?.destination;
        if (destination === undefined) return;
        try {
          const queue = this.#host.queues[destination];
          if (!queue) throw new Error(`this host has no queue for ${destination}`);
          await queue.sendBatch(
            rows.map((r) => ({ body: envelopeText(this.#host.origin, r.seq, r.body), contentType: "text" as const })),
          );
        } catch (err) {
          this.#refused(rows, err);
          return;
        }
        this.#failures = 0;
        this.#batchLimit = Math.min(MAX_BATCH_MESSAGES, this.#batchLimit * 2);
        // Sent, not done: due again (if still unconfirmed) after a delay that doubles per attempt.
        this.#host.sql.exec(
          `UPDATE outbox SET attempts = attempts + 1, due_at = ? + ? * (1 << min(attempts, 5))
           WHERE seq IN (SELECT value FROM json_each(?))`,
          this.#clock(),
          RESEND_AFTER_MS,
          JSON.stringify(rows.map((r) => r.seq)),
        );
        sent += rows.length;
      }
    } finally {
      this.#draining = false;
      this.#due_ = null;
    }
  }

  /** The consumer's word that these rows are in Postgres (or parked there): forget them. */
  confirm(seqs: readonly number[], now: number): number {
    if (seqs.length === 0) return 0;
    this.#lastConfirmedAt = now;
    this.#due_ = null;
    let removed = 0;
    for (const row of this.#host.sql.exec<{ bytes: number }>(
      "DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?)) RETURNING bytes",
      JSON.stringify(seqs),
    )) {
      removed += 1;
      this.#bytes -= row.bytes;
    }
    this.#pending -= removed;
    this.#watch();
    return removed;
  }

  #statusNow(): Backlog["status"] {
    return this.full ? "full" : this.#bytes > HIGH_WATER_BYTES ? "backed-up" : "ok";
  }

  /**
   * The alarm operators hear: one log line each time the backlog crosses a mark, either way, and
   * (for a host in a market) a `backlog` message to the notifications worker when it rises past
   * a mark or, having risen, drains below half the first one — so a backlog hovering at a mark
   * is told once, not at every row.
   */
  #watch(): void {
    this.#announce();
    const status = this.#statusNow();
    if (status === this.#status) return;
    this.#status = status;
    console.log(
      JSON.stringify({
        level: status === "ok" ? "info" : "error",
        message: status === "ok" ? "history outbox back to normal" : `history outbox ${status}`,
        origin: this.#host.origin.name,
        pending: this.#pending,
        bytes: this.#bytes,
      }),
    );
  }

  #announce(): void {
    const market = this.#host.market;
    if (market === undefined || !this.#host.queues.notifications) return;
    const rank = { ok: 0, "backed-up": 1, full: 2 } as const;
    const now = this.#statusNow();
    const told = this.#announced;
    const drained = told !== "ok" && this.#bytes < HIGH_WATER_BYTES / 2;
    if (!(rank[now] > rank[told] || drained)) return;
    const status = drained ? "ok" : now;
    this.#announced = status; // before add(), which comes back here
    const at = this.#clock();
    this.add(
      {
        type: "backlog",
        market,
        origin: this.#host.origin.name,
        status,
        pending: this.#pending,
        bytes: this.#bytes,
        at,
      },
      at,
      "notifications",
    );
  }

  backlog(now: number): Backlog {
    const sql = this.#host.sql;
    const row = sql
      .exec<{ oldest: number | null; inflight: number }>(
        "SELECT min(created_at) AS oldest, sum(attempts > 0) AS inflight FROM outbox",
      )
      .one();
    return {
      pending: this.#pending,
      bytes: this.#bytes,
      oldestAgeMs: row.oldest === null ? null : Math.max(0, now - row.oldest),
      inFlight: row.inflight ?? 0,
      status: this.#statusNow(),
    };
  }

  /**
   * The next batch, all for one destination: fresh rows first (oldest first), then stalled
   * resends; packed under the queue's limits.
   */
  #due(now: number): Array<{ seq: number; body: string; bytes: number; destination: Destination }> {
    const sql = this.#host.sql;
    const limit = this.#batchLimit;
    type Row = { seq: number; body: string; bytes: number; destination: Destination };
    let candidates = sql
      .exec<Row>(
        "SELECT seq, body, bytes, destination FROM outbox WHERE attempts = 0 AND due_at <= ? ORDER BY due_at, seq LIMIT ?",
        now,
        limit,
      )
      .toArray();
    if (candidates.length === 0 && now - this.#lastConfirmedAt >= RESEND_AFTER_MS) {
      candidates = sql
        .exec<Row>(
          "SELECT seq, body, bytes, destination FROM outbox WHERE attempts > 0 AND due_at <= ? ORDER BY due_at LIMIT ?",
          now,
          limit,
        )
        .toArray();
    }
    const batch: typeof candidates = [];
    let bytes = 0;
    const destination = candidates[0]?.destination;
    for (const row of candidates) {
      if (row.destination !== destination) continue;
      const size = (row.bytes || utf8Length(row.body)) + ENVELOPE_BYTES;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      batch.push(row);
      bytes += size;
    }
    return batch;
  }

  /**
   * A refused batch: smaller batches next time; a lone refused row steps back by its own growing
   * delay (it stays unsent and is tried again when due), so the rows behind it go on.
   */
  #refused(rows: ReadonlyArray<{ seq: number }>, err: unknown): void {
    this.#failures += 1;
    const delay = backoffMs(this.#failures, HISTORY_RETRY);
    this.#retryAt = this.#clock() + delay;
    this.#batchLimit = Math.max(1, Math.floor(rows.length / 2));
    const only = rows.length === 1 ? rows[0] : undefined;
    if (only) {
      this.#host.sql.exec(
        "UPDATE outbox SET refusals = refusals + 1, due_at = ? + ? * (1 << min(refusals, 7)) WHERE seq = ?",
        this.#clock(),
        500,
        only.seq,
      );
    }
    console.error(
      JSON.stringify({
        level: "warn",
        message: "history queue refused a batch; kept for a retry",
        origin: this.#host.origin.name,
        rows: rows.length,
        error: String(err).slice(0, 300),
        retryInMs: delay,
      }),
    );
  }
}
