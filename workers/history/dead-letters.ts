import { DurableObject } from "cloudflare:workers";

/**
 * History that could not be written: messages Postgres refused (parked by the history writer
 * with Postgres' reason, after their neighbours were written) and messages without an outbox to
 * return to. Nothing here depends on Postgres; an admin replays them onto the history queue once
 * the cause is fixed. Nothing accepted is dropped on the way.
 */
export class DeadLetters extends DurableObject<HistoryEnv> {
  constructor(ctx: DurableObjectState, env: HistoryEnv) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS letters (
      id TEXT PRIMARY KEY, body TEXT NOT NULL, parked_at INTEGER NOT NULL, attempts INTEGER NOT NULL)`);
    try {
      sql.exec("ALTER TABLE letters ADD COLUMN reason TEXT NOT NULL DEFAULT ''");
    } catch {
      // already there
    }
  }

  park(letters: Array<{ id: string; body: string; attempts: number; reason: string }>): void {
    const now = Date.now();
    for (const l of letters) {
      this.ctx.storage.sql.exec(
        "INSERT OR IGNORE INTO letters (id, body, parked_at, attempts, reason) VALUES (?, ?, ?, ?, ?)",
        l.id,
        l.body,
        now,
        l.attempts,
        l.reason,
      );
    }
  }

  summary(): { count: number; oldest: string | null; reasons: Array<{ reason: string; count: number }> } {
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<{ n: number; oldest: number | null }>("SELECT count(*) AS n, min(parked_at) AS oldest FROM letters")
      .one();
    const reasons = sql
      .exec<{ reason: string; n: number }>("SELECT reason, count(*) AS n FROM letters GROUP BY reason ORDER BY n DESC LIMIT 20")
      .toArray()
      .map((r) => ({ reason: r.reason, count: r.n }));
    return { count: row.n, oldest: row.oldest === null ? null : new Date(row.oldest).toISOString(), reasons };
  }

  /** Sends every parked message back to the history queue, as it came; returns how many went. */
  async replay(): Promise<number> {
    let sent = 0;
    for (;;) {
      const rows = this.ctx.storage.sql
        .exec<{ id: string; body: string }>("SELECT id, body FROM letters ORDER BY parked_at LIMIT 100")
        .toArray();
      if (rows.length === 0) return sent;
      await this.env.HISTORY.sendBatch(rows.map((r) => ({ body: r.body, contentType: "text" as const })));
      for (const r of rows) this.ctx.storage.sql.exec("DELETE FROM letters WHERE id = ?", r.id);
      sent += rows.length;
    }
  }
}
