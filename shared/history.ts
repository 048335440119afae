/**
 * What the edge and the zone objects tell history: the messages on the history queue, read by
 * the analytics consumer (`workers/analytics/`) and written to Postgres (`db/schema.ts`).
 * Every message can be delivered twice; the consumer's writes are idempotent.
 */

export interface HistoryEvent {
  kind: "supply" | "demand";
  eventId: string;
  cell: string;
  at: number;
  actorId: string | null;
  /** available | busy | offline, or search | request */
  status: string;
}

export interface SurgeMinute {
  cell: string;
  /** Start of the minute, epoch ms. */
  minute: number;
  supply: number;
  demand: number;
  multiplier: number;
  peakMultiplier: number;
}

export interface QuoteRecord {
  quoteId: string;
  market: string;
  product: string;
  cell: string;
  zone: string;
  currency: string;
  multiplierTenths: number;
  total: number;
  totalAtOne: number;
  issuedAt: number;
  expiresAt: number;
}

export interface FailureEvent {
  id: string;
  at: number;
  kind: "mode" | "dependency" | "override";
  subject: string;
  status: string;
  detail: Record<string, unknown>;
}

export interface RequestCount {
  minute: number;
  route: string;
  mode: string;
  outcome: "ok" | "client_error" | "server_error";
  bucketMs: number;
  count: number;
}

export type HistoryMessage =
  | { type: "events"; market: string; zone: string; events: HistoryEvent[] }
  | { type: "surge"; market: string; zone: string; minutes: SurgeMinute[] }
  | { type: "quote"; quote: QuoteRecord }
  | { type: "verified"; quoteId: string; at: number }
  | { type: "failure"; event: FailureEvent }
  | { type: "requests"; counts: RequestCount[] };

/** Events per queue message: keeps a message well under the 128 KB limit. */
export const EVENTS_PER_MESSAGE = 250;

const MINUTE = 60_000;

/**
 * Folds a zone's ticks into one row per cell per minute. A minute is emitted once a tick
 * of a later minute arrives (or on `flush`); re-emitting a minute is harmless, the consumer
 * upserts.
 */
export class MinuteLog {
  readonly #open = new Map<string, SurgeMinute>();
  #finished: SurgeMinute[] = [];

  observe(cell: string, now: number, reading: { supply: number; demand: number; multiplier: number }): void {
    const minute = Math.floor(now / MINUTE) * MINUTE;
    const row = this.#open.get(cell);
    if (row && row.minute === minute) {
      row.supply = reading.supply;
      row.demand = reading.demand;
      row.multiplier = reading.multiplier;
      row.peakMultiplier = Math.max(row.peakMultiplier, reading.multiplier);
      return;
    }
    if (row) this.#finished.push(row);
    this.#open.set(cell, { cell, minute, ...reading, peakMultiplier: reading.multiplier });
  }

  /** Rows of minutes that ended before `now` (all rows when `all`), removed from the log. */
  take(now: number, all = false): SurgeMinute[] {
    const current = Math.floor(now / MINUTE) * MINUTE;
    const out = this.#finished;
    this.#finished = [];
    for (const [cell, row] of this.#open) {
      if (all || row.minute < current) {
        out.push(row);
        this.#open.delete(cell);
      }
    }
    return out.map((row) => ({ ...row, demand: Math.round(row.demand * 1000) / 1000 }));
  }

  get size(): number {
    return this.#open.size;
  }
}
