import { DurableObject } from "cloudflare:workers";
import type { LiveMessage } from "../shared/api";
import type { SurgeChange } from "../shared/zone-state";
import { Subscribers } from "./subscribers";

/**
 * A market's live feed: every zone of the market publishes its changes here, and whoever
 * watches the whole market (an operator console, a partner's dispatch system) subscribes here
 * rather than to each zone. It remembers the latest shown multiplier of each cell (bounded by
 * the market's cells) so a new subscriber starts from a snapshot.
 */
export class MarketFeed extends DurableObject<Env> {
  #subscribers: Subscribers;
  #latest = new Map<string, { multiplier: number; seq: number }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS latest (cell TEXT PRIMARY KEY, multiplier REAL NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID",
    );
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    this.#subscribers = new Subscribers(ctx);
    for (const r of ctx.storage.sql.exec<{ cell: string; multiplier: number; seq: number }>("SELECT * FROM latest")) {
      this.#latest.set(r.cell, { multiplier: r.multiplier, seq: r.seq });
    }
  }

  publish(changes: SurgeChange[]): void {
    const fresh = changes.filter((c) => (this.#latest.get(c.cell)?.seq ?? 0) < c.seq);
    for (const c of fresh) {
      this.#latest.set(c.cell, { multiplier: c.shownTenths / 10, seq: c.seq });
      this.ctx.storage.sql.exec(
        "INSERT INTO latest (cell, multiplier, seq) VALUES (?, ?, ?) ON CONFLICT (cell) DO UPDATE SET multiplier = excluded.multiplier, seq = excluded.seq",
        c.cell,
        c.shownTenths / 10,
        c.seq,
      );
    }
    this.#subscribers.broadcast(fresh);
  }

  /** A message for everyone watching the market (the system mode, an operator's override). */
  announce(message: LiveMessage): void {
    this.#subscribers.everyone(message);
  }

  override async fetch(request: Request): Promise<Response> {
    const live = Subscribers.requested(request);
    if (!live) return new Response("expected a WebSocket upgrade", { status: 426 });
    return this.#subscribers.connect(live, this.#snapshot(live.cells));
  }

  /** Any cell may be watched here: the edge worker checked the market when the socket opened. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#subscribers.message(ws, message, { by: "this market", owns: () => true }, (cells) => this.#snapshot(cells));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#subscribers.closed(ws, code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#subscribers.remove(ws);
  }

  #snapshot(cells: string[] | null): LiveMessage {
    const list = cells ?? [...this.#latest.keys()];
    return {
      type: "snapshot",
      at: new Date().toISOString(),
      cells: list.map((cell) => ({
        cell,
        multiplier: this.#latest.get(cell)?.multiplier ?? 1,
        seq: this.#latest.get(cell)?.seq ?? 0,
      })),
    };
  }
}
