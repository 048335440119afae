import { DurableObject } from "cloudflare:workers";
import type { Backlog, Outbox } from "./outbox";

/**
 * A Durable Object that produces history: it hosts an outbox and answers the history writer
 * (`confirm`) and the platform's backlog and drain routes. Subclasses create `outbox` in their
 * constructor and say how to set their alarm (`rearm`) for whatever they wait on next.
 */
export abstract class HistoryProducer extends DurableObject<Env> {
  protected abstract readonly outbox: Outbox;

  /** Sets the alarm for the object's next work, the outbox's next send included. */
  protected abstract rearm(): void | Promise<void>;

  /** The history writer's word that these outbox rows are in Postgres (or parked there). */
  confirm(seqs: number[]): number {
    return this.outbox.confirm(seqs, Date.now());
  }

  /** History accepted here and not yet confirmed in Postgres. */
  backlog(): Backlog {
    return this.outbox.backlog(Date.now());
  }

  /** Sends what the outbox holds now (a stopping platform drains before it exits). */
  async flush(): Promise<Backlog> {
    await this.outbox.drain(Date.now(), { all: true });
    await this.rearm();
    return this.backlog();
  }
}
