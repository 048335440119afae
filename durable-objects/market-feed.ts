import { DurableObject } from "cloudflare:workers";
import type { LiveMessage } from "../shared/contracts/api";
import { directoryStub } from "../shared/contracts/objects";
import type { Revocation } from "../shared/platform/revocation";
import type { SurgeChange } from "../shared/pricing/zone-state";
import { geofenceCells } from "../shared/pricing/zoning";
import { Subscribers } from "./subscribers";

/**
 * A market's live feed: every zone of the market publishes its changes here, and whoever
 * watches the whole market (an operator console, a partner's dispatch system) subscribes here
 * rather than to each zone. It remembers the latest shown multiplier of each cell (bounded by
 * the market's cells) so a new subscriber starts from a snapshot. Its alarm closes sockets
 * whose token expired.
 */
export class MarketFeed extends DurableObject<Env> {
  #subscribers: Subscribers;
  #latest = new Map<string, { multiplier: number; seq: number }>();
  /** The market's pricing cells, for checking subscribe messages (computed once per market version). */
  #cells: { id: string; version: number; cells: Set<string> } | undefined;
  #inbox: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS latest (cell TEXT PRIMARY KEY, multiplier REAL NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
       CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
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

  /** Closes this feed's sockets that a revocation covers (pushed by the revocation list). */
  async revoke(revocation: Revocation): Promise<number> {
    return this.#subscribers.revoke(revocation);
  }

  override async fetch(request: Request): Promise<Response> {
    const live = Subscribers.requested(request);
    if (!live) return new Response("expected a WebSocket upgrade", { status: 426 });
    this.ctx.storage.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('market', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      JSON.stringify(live.market),
    );
    const response = this.#subscribers.connect(live, this.#snapshot(live.cells));
    await this.#wakeAtNextExpiry();
    return response;
  }

  /**
   * Any cell of the market may be watched here, and nothing else. Messages are handled one after
   * another, in the order they came: the first may wait for the market's cells.
   */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const handled = this.#inbox.then(async () => {
      const cells = await this.#marketCells();
      this.#subscribers.message(ws, message, { by: "this market", owns: (cell) => cells.has(cell) }, (list) =>
        this.#snapshot(list),
      );
    });
    this.#inbox = handled.catch(() => undefined);
    return handled;
  }

  override async alarm(): Promise<void> {
    this.#subscribers.sweep(Date.now());
    await this.#wakeAtNextExpiry();
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#subscribers.closed(ws, code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#subscribers.remove(ws);
  }

  async #wakeAtNextExpiry(): Promise<void> {
    const next = this.#subscribers.nextExpiry();
    if (next === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next || current < Date.now()) await this.ctx.storage.setAlarm(next);
  }

  async #marketCells(): Promise<Set<string>> {
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'market'").toArray()[0];
    const ref = row ? (JSON.parse(row.value) as { id: string; version: number }) : undefined;
    if (!ref) return new Set();
    if (this.#cells?.id === ref.id && this.#cells.version >= ref.version) return this.#cells.cells;
    const market = await directoryStub(this.env).get(ref.id);
    const cells = new Set(market ? geofenceCells(market.geofence, market.resolution) : []);
    this.#cells = { id: ref.id, version: market?.version ?? ref.version, cells };
    return cells;
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
