import type { Destination, OutboxMessage } from "../shared/contracts/history";
import { HistoryProducer } from "./history-producer";
import { Outbox } from "./outbox";

/**
 * History the edge itself produces — quote verifications, quotes priced while their zone could
 * not answer — has no zone to keep it: a ledger shard does. Each shard is an object hosting one
 * outbox; the edge writes a record to a shard before it answers, so what it answered for is
 * durable whatever happens to the isolate next. What the edge tells the notifications worker (an
 * experiment a guardrail stopped, a training's hotspots) is kept the same way, for its queue.
 */

export class Ledger extends HistoryProducer {
  #name: string | undefined;
  protected readonly outbox: Outbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.#name = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'name'").toArray()[0]?.value;
    const ledger = this;
    this.outbox = new Outbox({
      sql,
      queues: { history: env.HISTORY, notifications: env.NOTIFICATIONS },
      get origin() {
        return { host: "ledger" as const, name: ledger.#name ?? "" };
      },
    });
    void this.rearm();
  }

  /** Keeps records for history (or another destination); `name` is this shard's own name (objects do not know it otherwise). */
  async record(name: string, messages: OutboxMessage[], destination: Destination = "history"): Promise<void> {
    if (this.#name !== name) {
      this.ctx.storage.sql.exec(
        "INSERT INTO meta (key, value) VALUES ('name', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        name,
      );
      this.#name = name;
    }
    const now = Date.now();
    for (const m of messages) this.outbox.add(m, now, destination);
    await this.rearm();
  }

  override async alarm(): Promise<void> {
    await this.outbox.drain(Date.now());
    await this.rearm(true);
  }

  protected async rearm(fromAlarm = false): Promise<void> {
    const due = this.outbox.nextDue(Date.now());
    if (due === undefined) return;
    const current = fromAlarm ? null : await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }
}
