import { DurableObject } from "cloudflare:workers";
import type { HistoryMessage } from "../../shared/history";

/**
 * History that kept failing: the dead-letter queue's consumer parks each message here (no
 * dependency on Postgres), and an operator replays them onto the history queue once the cause
 * is fixed. Nothing accepted is dropped on the way.
 */
export class DeadLetters extends DurableObject<AnalyticsEnv> {
  constructor(ctx: DurableObjectState, env: AnalyticsEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS letters (
      id TEXT PRIMARY KEY, body TEXT NOT NULL, parked_at INTEGER NOT NULL, attempts INTEGER NOT NULL)`);
  }

  park(letters: Array<{ id: string; body: HistoryMessage; attempts: number }>): void {
    const now = Date.now();
    for (const l of letters) {
      this.ctx.storage.sql.exec(
        "INSERT OR IGNORE INTO letters (id, body, parked_at, attempts) VALUES (?, ?, ?, ?)",
        l.id,
        JSON.stringify(l.body),
        now,
        l.attempts,
      );
    }
  }

  summary(): { count: number; oldest: string | null } {
    const row = this.ctx.storage.sql
      .exec<{ n: number; oldest: number | null }>("SELECT count(*) AS n, min(parked_at) AS oldest FROM letters")
      .one();
    return { count: row.n, oldest: row.oldest === null ? null : new Date(row.oldest).toISOString() };
  }

  /** Sends every parked message back to the history queue; returns how many went. */
  async replay(): Promise<number> {
    let sent = 0;
    for (;;) {
      const rows = this.ctx.storage.sql
        .exec<{ id: string; body: string }>("SELECT id, body FROM letters ORDER BY parked_at LIMIT 100")
        .toArray();
      if (rows.length === 0) return sent;
      await this.env.HISTORY.sendBatch(
        rows.map((r) => ({ body: JSON.parse(r.body) as HistoryMessage, contentType: "json" as const })),
      );
      for (const r of rows) this.ctx.storage.sql.exec("DELETE FROM letters WHERE id = ?", r.id);
      sent += rows.length;
    }
  }
}
