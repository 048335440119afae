import type { LiveMessage } from "../shared/contracts/api";
import { postBatch } from "./ingest";
import type { Api, Cell } from "./platform";

/**
 * What the live measurements share: market settings under which one batch of events moves a
 * cell's shown multiplier in one tick, a toggle that makes every step a real change of one cell,
 * and WebSocket subscribers.
 *
 * Each cell carries 2 available drivers. The first step is a demand burst (40 ride requests):
 * the target jumps to the cap, 3.0. After that, steps alternate between a flood of 300 more
 * available drivers (ratio < 1: back to 1.0) and the same 300 going offline (back to 3.0). With
 * smoothing 1 and steps of up to 10 each step is exactly one change, published as soon as the
 * zone prices it: a zone publishes a change within 25 ms of the event, between its regular
 * ticks, with a step scaled to the share of the interval it covers (at least 25 of 100 ms here,
 * so at least 2.5, more than the 2.0 between 1.0 and the cap). Neighbour pooling is off so cells
 * do not move each other; demand decays slowly (600 s half-life) so the burst holds the cell at
 * the cap for the whole run.
 */

export const LIVE_SURGE = {
  cap: 3,
  smoothing: 1,
  maxStepUp: 10,
  maxStepDown: 10,
  updateIntervalMs: 100,
  neighbourRings: 0,
  demandHalfLifeSeconds: 600,
};

const BASE_DRIVERS = 2;
const BURST_REQUESTS = 40;
const FLOOD_DRIVERS = 300;
const UP = 3;
const DOWN = 1;

export type StepKind = "demand" | "supply";

export interface Step {
  kind: StepKind;
  body: string;
  /** The multiplier the cell will show once the step is applied. */
  expect: number;
}

let sequence = 0;
const runId = Date.now().toString(36);
const uniqueId = (prefix: string) => `${prefix}-${runId}-${sequence++}`;

export class CellToggle {
  #state: "rest" | "up" | "down" = "rest";
  readonly #base: string[];
  readonly #flood: string[];

  constructor(readonly cell: Cell) {
    this.#base = Array.from({ length: BASE_DRIVERS }, () => uniqueId("base"));
    this.#flood = Array.from({ length: FLOOD_DRIVERS }, () => uniqueId("flood"));
  }

  /** Puts the cell's base drivers on the map; the multiplier stays 1.0 (no demand yet). */
  async prepare(api: Api): Promise<void> {
    await postBatch(api, "supply", JSON.stringify({ events: this.#supplyEvents(this.#base, "available") }));
  }

  /** The step that changes the cell next; call `done()` once its change has been seen. */
  next(): Step {
    const at = Date.now();
    const { lat, lng } = this.cell;
    if (this.#state === "rest") {
      const events = Array.from({ length: BURST_REQUESTS }, () => ({
        eventId: uniqueId("burst"),
        lat,
        lng,
        kind: "request",
        at,
      }));
      return { kind: "demand", body: JSON.stringify({ events }), expect: UP };
    }
    // One batch: the base drivers stay fresh, the flood drivers come or go.
    const status = this.#state === "up" ? "available" : "offline";
    const events = [...this.#supplyEvents(this.#base, "available"), ...this.#supplyEvents(this.#flood, status)];
    return { kind: "supply", body: JSON.stringify({ events }), expect: this.#state === "up" ? DOWN : UP };
  }

  done(step: Step): void {
    this.#state = step.expect === UP ? "up" : "down";
  }

  #supplyEvents(drivers: readonly string[], status: string) {
    const at = Date.now();
    const { lat, lng } = this.cell;
    return drivers.map((driverId) => ({ eventId: uniqueId("s"), driverId, lat, lng, status, at }));
  }
}

export type SurgeMessage = Extract<LiveMessage, { type: "surge" }>;

/**
 * Opens a live WebSocket on some cells and resolves once its snapshot has arrived. `onSurge`
 * gets every change with the time it arrived (performance.now()).
 */
export function subscribe(
  api: Api,
  cells: readonly string[],
  onSurge: (message: SurgeMessage, arrivedAt: number) => void,
  timeoutMs = 10_000,
): Promise<WebSocket> {
  // Browsers cannot set headers on a WebSocket: the live feed takes the token in the query.
  // No per-message deflate, as production negotiates none (`no_web_socket_compression`).
  const ws = new WebSocket(`${api.url.replace(/^http/, "ws")}/v1/live?cells=${cells.join(",")}&access_token=${api.token}`, {
    perMessageDeflate: false,
  } as Bun.WebSocketOptions);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("no snapshot within timeout")), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
      ws.close();
    };
    ws.onmessage = (event) => {
      const arrivedAt = performance.now();
      const message = JSON.parse(String(event.data)) as LiveMessage;
      if (message.type === "surge") onSurge(message, arrivedAt);
      else if (message.type === "snapshot") {
        clearTimeout(timer);
        resolve(ws);
      } else if (message.type === "error") fail(new Error(`live error: ${message.detail}`));
    };
    ws.onerror = () => fail(new Error("WebSocket error while subscribing"));
    ws.onclose = (event) => fail(new Error(`WebSocket closed while subscribing (${event.code})`));
  });
}

/** Closes sockets and waits (bounded) until they are closed. */
export async function closeAll(sockets: readonly WebSocket[], timeoutMs = 10_000): Promise<void> {
  const closed = sockets.map(
    (ws) =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.onclose = () => resolve();
        ws.onerror = () => resolve();
        ws.close(1000, "bench done");
      }),
  );
  await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, timeoutMs))]);
}
