import type { SurgeMinute } from "../contracts/history";
import type { ExperimentStory } from "./policy";

const MINUTE = 60_000;

/**
 * Folds a zone's ticks into one row per cell per minute. A minute is emitted once a tick
 * of a later minute arrives (or on `flush`); re-emitting a minute is harmless, the consumer
 * upserts.
 */
export class MinuteLog {
  readonly #open = new Map<string, SurgeMinute>();
  #finished: SurgeMinute[] = [];

  /** A tick's reading of a cell; `experiment`, when the cell is in one, is kept as of the minute's last tick. */
  observe(
    cell: string,
    now: number,
    reading: { supply: number; demand: number; multiplier: number; experiment?: ExperimentStory },
  ): void {
    const minute = Math.floor(now / MINUTE) * MINUTE;
    const row = this.#open.get(cell);
    if (row && row.minute === minute) {
      row.supply = reading.supply;
      row.demand = reading.demand;
      row.multiplier = reading.multiplier;
      row.peakMultiplier = Math.max(row.peakMultiplier, reading.multiplier);
      if (reading.experiment) row.experiment = reading.experiment;
      return;
    }
    if (row) this.#finished.push(row);
    const { experiment, ...balance } = reading;
    this.#open.set(cell, { cell, minute, ...balance, peakMultiplier: reading.multiplier, ...(experiment && { experiment }) });
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
