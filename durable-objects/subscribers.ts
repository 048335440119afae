import type { LiveMessage } from "../shared/api";
import type { SurgeChange } from "../shared/zone-state";

/** The header that carries a live subscription from the edge worker to the object. */
export const SUBSCRIPTION_HEADER = "x-equilibrium-subscription";

/** A live subscription as the edge worker hands it to a zone or market feed object. */
export interface LiveRequest {
  market: { id: string; version: number };
  zone: string;
  cells: string[] | null;
}

/** What a live connection listens to: listed cells, or every cell of its object (null). */
export interface Subscription {
  cells: string[] | null;
}

/** Most cells one connection may list: keeps its attachment (its whole state) under 2 KB. */
export const MAX_SUBSCRIBED_CELLS = 64;

/**
 * The WebSocket subscribers of one Durable Object, indexed by cell. Connections are accepted
 * with the Hibernation API: the object may be evicted while they stay open, so the index is
 * rebuilt from each socket's attachment when the object wakes.
 */
export class Subscribers {
  readonly #byCell = new Map<string, Set<WebSocket>>();
  readonly #all = new Set<WebSocket>();

  constructor(private readonly ctx: DurableObjectState) {
    for (const ws of ctx.getWebSockets()) {
      const sub = ws.deserializeAttachment() as Subscription | null;
      if (sub) this.#index(ws, sub);
    }
  }

  /** The subscription a forwarded upgrade carries, or null if it is not one. */
  static requested(request: Request): LiveRequest | null {
    if (request.headers.get("upgrade") !== "websocket") return null;
    return JSON.parse(request.headers.get(SUBSCRIPTION_HEADER) ?? "null") as LiveRequest | null;
  }

  /** Accepts a forwarded upgrade: greets the client with its subscription, then a snapshot. */
  connect(live: LiveRequest, snapshot: LiveMessage): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    this.accept(server, { cells: live.cells });
    sendTo(server, { type: "subscribed", cells: live.cells ?? "all", market: live.market.id });
    sendTo(server, snapshot);
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * A client's `{"type":"subscribe"|"unsubscribe","cells":[...]}` message: checked against the
   * cells this object serves, applied, answered with the new subscription and, for
   * added cells, a snapshot of them.
   */
  message(
    ws: WebSocket,
    message: string | ArrayBuffer,
    served: { by: string; owns(cell: string): boolean },
    snapshot: (cells: string[]) => LiveMessage,
  ): void {
    let m: { type?: unknown; cells?: unknown };
    try {
      m = JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message));
    } catch {
      sendTo(ws, { type: "error", detail: 'messages are JSON: {"type":"subscribe","cells":[...]}' });
      return;
    }
    if (m.type !== "subscribe" && m.type !== "unsubscribe") {
      sendTo(ws, { type: "error", detail: "unknown message type" });
      return;
    }
    const cells = Array.isArray(m.cells) ? m.cells.filter((c): c is string => typeof c === "string") : [];
    const foreign = cells.filter((c) => !served.owns(c));
    if (foreign.length > 0) {
      sendTo(ws, { type: "error", detail: `cells not in ${served.by}: ${foreign.slice(0, 5).join(", ")}` });
      return;
    }
    const current = (ws.deserializeAttachment() as Subscription | null)?.cells ?? [];
    const next = m.type === "subscribe" ? [...new Set([...current, ...cells])] : current.filter((c) => !cells.includes(c));
    if (next.length > MAX_SUBSCRIBED_CELLS) {
      sendTo(ws, { type: "error", detail: `at most ${MAX_SUBSCRIBED_CELLS} cells per connection` });
      return;
    }
    this.update(ws, { cells: next });
    sendTo(ws, { type: "subscribed", cells: next });
    if (m.type === "subscribe") sendTo(ws, snapshot(cells));
  }

  /** Forgets a closed connection and completes the close handshake. */
  closed(ws: WebSocket, code: number): void {
    this.remove(ws);
    try {
      // 1005/1006 mean "no code was sent": they may not be echoed.
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  accept(ws: WebSocket, sub: Subscription): void {
    this.ctx.acceptWebSocket(ws);
    ws.serializeAttachment(sub);
    this.#index(ws, sub);
  }

  update(ws: WebSocket, sub: Subscription): void {
    this.remove(ws);
    ws.serializeAttachment(sub);
    this.#index(ws, sub);
  }

  remove(ws: WebSocket): void {
    this.#all.delete(ws);
    const sub = ws.deserializeAttachment() as Subscription | null;
    for (const cell of sub?.cells ?? []) {
      const set = this.#byCell.get(cell);
      set?.delete(ws);
      if (set?.size === 0) this.#byCell.delete(cell);
    }
  }

  /** Sends each change to the connections that listen to its cell. */
  broadcast(changes: readonly SurgeChange[]): void {
    for (const change of changes) {
      const listeners = this.#byCell.get(change.cell);
      if (!listeners && this.#all.size === 0) continue;
      const message = JSON.stringify({
        type: "surge",
        cell: change.cell,
        multiplier: change.shownTenths / 10,
        at: new Date(change.at).toISOString(),
        seq: change.seq,
      } satisfies LiveMessage);
      if (listeners) for (const ws of listeners) this.#send(ws, message);
      for (const ws of this.#all) this.#send(ws, message);
    }
  }

  /** Sends one message to every connection, whatever it watches. */
  everyone(message: LiveMessage): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets()) this.#send(ws, text);
  }

  #send(ws: WebSocket, message: string): void {
    try {
      ws.send(message);
    } catch {
      // The peer is gone; its close event may never come, so forget it now.
      this.remove(ws);
    }
  }

  #index(ws: WebSocket, sub: Subscription): void {
    if (sub.cells === null) {
      this.#all.add(ws);
      return;
    }
    for (const cell of sub.cells) {
      let set = this.#byCell.get(cell);
      if (!set) {
        set = new Set();
        this.#byCell.set(cell, set);
      }
      set.add(ws);
    }
  }
}

/** Sends one message to a socket, ignoring a peer that has already gone. */
export function sendTo(ws: WebSocket, message: LiveMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // closed meanwhile
  }
}
