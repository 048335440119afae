import type { CellChange } from "../shared/contracts/notifications";
import { crossesAny } from "../shared/notifications/matching";
import type { SurgeChange } from "../shared/pricing/zone-state";

/**
 * A zone's part in notifications: the cells someone watches and the thresholds watched there,
 * as the market's notification hub pushed them (nothing watched: nothing is published, so a
 * market without subscriptions costs nothing). Of each tick's shown changes, those that cross a
 * watched threshold go to the notifications worker through the zone's outbox, each with the
 * value before it, so the worker decides from the message alone. Owns its one table.
 */
export class NotificationWatch {
  readonly #sql: SqlStorage;
  /** Watched cell → thresholds in tenths. */
  #watched = new Map<string, readonly number[]>();
  /** The last shown value of each watched cell, so each change carries where it came from. */
  #shown = new Map<string, number>();

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec("CREATE TABLE IF NOT EXISTS notification_watch (cell TEXT PRIMARY KEY, thresholds TEXT NOT NULL) WITHOUT ROWID");
    for (const row of sql.exec<{ cell: string; thresholds: string }>("SELECT cell, thresholds FROM notification_watch"))
      this.#watched.set(row.cell, JSON.parse(row.thresholds) as number[]);
  }

  get size(): number {
    return this.#watched.size;
  }

  /** Replaces what is watched; `shownOf` gives each newly watched cell's current value. */
  set(cells: Record<string, readonly number[]>, shownOf: (cell: string) => number): void {
    this.#sql.exec("DELETE FROM notification_watch");
    this.#watched = new Map();
    for (const [cell, thresholds] of Object.entries(cells)) {
      if (thresholds.length === 0) continue;
      this.#watched.set(cell, thresholds);
      this.#sql.exec("INSERT INTO notification_watch (cell, thresholds) VALUES (?, ?)", cell, JSON.stringify(thresholds));
      if (!this.#shown.has(cell)) this.#shown.set(cell, shownOf(cell));
    }
    for (const cell of this.#shown.keys()) if (!this.#watched.has(cell)) this.#shown.delete(cell);
  }

  /** Learns the watched cells' values (after a restart, from the restored state). */
  prime(shownOf: (cell: string) => number): void {
    for (const cell of this.#watched.keys()) this.#shown.set(cell, shownOf(cell));
  }

  /** The changes of a tick that cross a threshold watched in their cell. */
  crossings(changes: readonly SurgeChange[]): CellChange[] {
    if (this.#watched.size === 0) return [];
    const out: CellChange[] = [];
    for (const c of changes) {
      const thresholds = this.#watched.get(c.cell);
      if (!thresholds) continue;
      const from = this.#shown.get(c.cell) ?? 10;
      this.#shown.set(c.cell, c.shownTenths);
      if (crossesAny(from, c.shownTenths, thresholds))
        out.push({ cell: c.cell, fromTenths: from, toTenths: c.shownTenths, seq: c.seq, at: c.at });
    }
    return out;
  }
}
