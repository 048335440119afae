import { isValidCell } from "h3-js";
import type { LiveMessage } from "../shared/contracts/api";
import { type Revocation, revokes, type TokenIdentity } from "../shared/platform/revocation";
import type { SurgeChange } from "../shared/pricing/zone-state";

/** The header that carries a live subscription from the edge worker to the object. */
export const SUBSCRIPTION_HEADER = "x-equilibrium-subscription";

/** A live subscription as the edge worker hands it to a zone or market feed object. */
export interface LiveRequest {
  market: { id: string; version: number };
  zone: string;
  cells: string[] | null;
  /** Who opened it and until when their token is good: the socket closes then, or when revoked. */
  token: TokenIdentity;
}

/** What a live connection listens to: listed cells, or every cell of its object (null). */
export interface Subscription {
  cells: string[] | null;
}

/** A socket's whole state, kept in its attachment so it survives hibernation. */
interface Attachment extends Subscription {
  token?: TokenIdentity;
}

/**
 * Most cells one connection may list: keeps its attachment (its whole state, the token's
 * identity included) under the 2 KB the runtime allows.
 */
export const MAX_SUBSCRIBED_CELLS = 64;

/** A client message larger than this is not a subscription: the socket is closed. */
export const MAX_MESSAGE_BYTES = 4096;

/** Client messages per socket: a steady rate and a burst (a `ping` is answered by the runtime and costs nothing). */
export const MESSAGE_BUDGET = { perSecond: 5, burst: 10 };

/**
 * Close codes. 1008 (policy violation) for a client that broke the rules of the feed; 4001
 * for a token that expired or was revoked: reconnect with a fresh token.
 */
export const CLOSE_POLICY = 1008;
export const CLOSE_TOKEN = 4001;

/**
 * The WebSocket subscribers of one Durable Object, indexed by cell. Connections are accepted
 * with the Hibernation API: the object may be evicted while they stay open, so the index is
 * rebuilt from each socket's attachment when the object wakes.
 *
 * Each socket lives no longer than the token that opened it. Its host calls `sweep(now)` from
 * its alarm (and schedules the alarm at the expiry `sweep` and `nextExpiry` return); besides,
 * nothing is sent to a socket past its expiry — it is closed instead on the next message or
 * broadcast. `revoke(revocation)` closes the sockets a revocation covers (the revocation list
 * pushes it to every host).
 */
export class Subscribers {
  readonly #byCell = new Map<string, Set<WebSocket>>();
  readonly #all = new Set<WebSocket>();
  readonly #tokens = new Map<WebSocket, TokenIdentity>();
  readonly #budgets = new Map<WebSocket, { tokens: number; at: number }>();
  #nextExpiry = Number.POSITIVE_INFINITY;

  constructor(private readonly ctx: DurableObjectState) {
    for (const ws of ctx.getWebSockets()) {
      const sub = ws.deserializeAttachment() as Attachment | null;
      if (!sub) continue;
      this.#index(ws, sub);
      // A socket from before tokens were recorded counts as expired: the next sweep closes it.
      this.#track(ws, sub.token ?? { subject: "", id: "", issuedAt: 0, expiresAt: 0 });
    }
  }

  /** The subscription a forwarded upgrade carries, or null if it is not one. */
  static requested(request: Request): LiveRequest | null {
    if (request.headers.get("upgrade") !== "websocket") return null;
    return JSON.parse(request.headers.get(SUBSCRIPTION_HEADER) ?? "null") as LiveRequest | null;
  }

  /** Accepts a forwarded upgrade: greets the client with its subscription, then a snapshot. */
  connect(live: LiveRequest, snapshot: LiveMessage): Response {
    if (!live.token || live.token.expiresAt <= Date.now()) return new Response("the token has expired", { status: 401 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const attachment: Attachment = { cells: live.cells, token: live.token };
    server.serializeAttachment(attachment);
    this.#index(server, attachment);
    this.#track(server, live.token);
    sendTo(server, { type: "subscribed", cells: live.cells ?? "all", market: live.market.id });
    sendTo(server, snapshot);
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * A client's `{"type":"subscribe"|"unsubscribe","cells":[...]}` message, checked as the edge
   * checks the query: valid H3 cells this object serves, at most `MAX_SUBSCRIBED_CELLS` in all.
   * Answered with the new subscription and, for added cells, a snapshot of them. A socket over
   * its message budget or sending more than `MAX_MESSAGE_BYTES` gets an error and is closed.
   */
  message(
    ws: WebSocket,
    message: string | ArrayBuffer,
    served: { by: string; owns(cell: string): boolean },
    snapshot: (cells: string[]) => LiveMessage,
  ): void {
    const now = Date.now();
    if (this.#expireIfDue(ws, now)) return;
    if (byteLength(message) > MAX_MESSAGE_BYTES) {
      this.#violation(ws, `messages are at most ${MAX_MESSAGE_BYTES} bytes`);
      return;
    }
    if (!this.#spend(ws, now)) {
      this.#violation(ws, `at most ${MESSAGE_BUDGET.perSecond} messages per second (bursts of ${MESSAGE_BUDGET.burst})`);
      return;
    }
    let m: { type?: unknown; cells?: unknown };
    try {
      m = JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message));
    } catch {
      sendTo(ws, { type: "error", detail: 'messages are JSON: {"type":"subscribe","cells":[...]}' });
      return;
    }
    if (m === null || typeof m !== "object" || (m.type !== "subscribe" && m.type !== "unsubscribe")) {
      sendTo(ws, { type: "error", detail: "unknown message type" });
      return;
    }
    if (!Array.isArray(m.cells) || !m.cells.every((c): c is string => typeof c === "string")) {
      sendTo(ws, { type: "error", detail: "cells: a list of H3 cells" });
      return;
    }
    const cells: string[] = m.cells;
    if (cells.length > MAX_SUBSCRIBED_CELLS) {
      sendTo(ws, { type: "error", detail: `at most ${MAX_SUBSCRIBED_CELLS} cells per connection` });
      return;
    }
    if (m.type === "subscribe") {
      const invalid = cells.find((c) => !isValidCell(c));
      if (invalid !== undefined) {
        sendTo(ws, { type: "error", detail: `"${invalid.slice(0, 32)}" is not an H3 cell` });
        return;
      }
      const foreign = cells.filter((c) => !served.owns(c));
      if (foreign.length > 0) {
        sendTo(ws, { type: "error", detail: `cells not in ${served.by}: ${foreign.slice(0, 5).join(", ")}` });
        return;
      }
    }
    const attachment = ws.deserializeAttachment() as Attachment | null;
    // A connection that watched every cell and subscribes to some now watches just those.
    const current = attachment?.cells ?? [];
    const next = m.type === "subscribe" ? [...new Set([...current, ...cells])] : current.filter((c) => !cells.includes(c));
    if (next.length > MAX_SUBSCRIBED_CELLS) {
      sendTo(ws, { type: "error", detail: `at most ${MAX_SUBSCRIBED_CELLS} cells per connection` });
      return;
    }
    this.#update(ws, { ...attachment, cells: next });
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

  remove(ws: WebSocket): void {
    this.#unindex(ws);
    this.#tokens.delete(ws);
    this.#budgets.delete(ws);
  }

  #unindex(ws: WebSocket): void {
    this.#all.delete(ws);
    const sub = ws.deserializeAttachment() as Attachment | null;
    for (const cell of sub?.cells ?? []) {
      const set = this.#byCell.get(cell);
      set?.delete(ws);
      if (set?.size === 0) this.#byCell.delete(cell);
    }
  }

  /**
   * Closes every socket whose token has expired (4001); returns when the next one expires, for
   * the host's alarm, or undefined when no socket is open.
   *
   * @example
   * override async alarm() {
   *   const next = this.#subscribers.sweep(Date.now());
   *   if (next !== undefined) await this.ctx.storage.setAlarm(next);
   * }
   */
  sweep(now: number): number | undefined {
    let next = Number.POSITIVE_INFINITY;
    for (const [ws, token] of [...this.#tokens]) {
      if (token.expiresAt <= now) this.#close(ws, CLOSE_TOKEN, "token expired");
      else next = Math.min(next, token.expiresAt);
    }
    this.#nextExpiry = next;
    return Number.isFinite(next) ? next : undefined;
  }

  /** When the next socket's token expires (undefined without sockets): the host's alarm should fire then. */
  nextExpiry(): number | undefined {
    return Number.isFinite(this.#nextExpiry) ? this.#nextExpiry : undefined;
  }

  /** Closes the sockets a revocation covers (4001); returns how many. */
  revoke(revocation: Revocation): number {
    let closed = 0;
    for (const [ws, token] of [...this.#tokens]) {
      if (!revokes(revocation, token)) continue;
      this.#close(ws, CLOSE_TOKEN, "token revoked");
      closed += 1;
    }
    return closed;
  }

  /** Sends each change to the connections that listen to its cell. */
  broadcast(changes: readonly SurgeChange[]): void {
    if (changes.length === 0) return;
    this.#sweepIfDue(Date.now());
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
    this.#sweepIfDue(Date.now());
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets()) if (this.#tokens.has(ws)) this.#send(ws, text);
  }

  #send(ws: WebSocket, message: string): void {
    try {
      ws.send(message);
    } catch {
      // The peer is gone; its close event may never come, so forget it now.
      this.remove(ws);
    }
  }

  /** Nothing reaches a socket past its token's expiry, whether or not the host's alarm came. */
  #sweepIfDue(now: number): void {
    if (now >= this.#nextExpiry) this.sweep(now);
  }

  #expireIfDue(ws: WebSocket, now: number): boolean {
    const token = this.#tokens.get(ws);
    if (token && token.expiresAt > now) return false;
    this.#close(ws, CLOSE_TOKEN, "token expired");
    return true;
  }

  /** A token bucket per socket, in memory: a socket that wakes the object starts with a full one. */
  #spend(ws: WebSocket, now: number): boolean {
    const budget = this.#budgets.get(ws) ?? { tokens: MESSAGE_BUDGET.burst, at: now };
    budget.tokens = Math.min(MESSAGE_BUDGET.burst, budget.tokens + ((now - budget.at) / 1000) * MESSAGE_BUDGET.perSecond);
    budget.at = now;
    this.#budgets.set(ws, budget);
    if (budget.tokens < 1) return false;
    budget.tokens -= 1;
    return true;
  }

  #violation(ws: WebSocket, detail: string): void {
    sendTo(ws, { type: "error", detail });
    this.#close(ws, CLOSE_POLICY, detail);
  }

  #close(ws: WebSocket, code: number, reason: string): void {
    this.remove(ws);
    try {
      // Close reasons are limited to 123 bytes.
      ws.close(code, reason.slice(0, 120));
    } catch {
      // already closed
    }
  }

  #track(ws: WebSocket, token: TokenIdentity): void {
    this.#tokens.set(ws, token);
    this.#nextExpiry = Math.min(this.#nextExpiry, token.expiresAt);
  }

  #update(ws: WebSocket, sub: Attachment): void {
    this.#unindex(ws);
    ws.serializeAttachment(sub);
    this.#index(ws, sub);
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

function byteLength(message: string | ArrayBuffer): number {
  if (typeof message !== "string") return message.byteLength;
  // UTF-8 takes at least one byte per UTF-16 unit: a long string need not be encoded to be refused.
  return message.length > MAX_MESSAGE_BYTES ? message.length : new TextEncoder().encode(message).byteLength;
}
