import type { LiveMessage } from "./api";
import { accessToken } from "./session";

/**
 * A market's live feed (`/v1/live?market=`): the snapshot, then one message per change. It
 * reconnects with capped, jittered exponential backoff, and pings so that a connection that
 * died silently (a laptop waking from sleep, a proxy dropping it) is noticed and replaced. A
 * refusal (close 4401, 4403, 4404: the platform says why) ends it: no endless "Reconnecting…".
 */

export type LiveStatus =
  | { state: "connecting" }
  | { state: "live" }
  | { state: "waiting"; retryAt: number; attempt: number }
  /** The platform refused the feed (close 4000 + status: no access, unknown market): retrying would not help. */
  | { state: "refused"; reason: string };

export interface LiveHandlers {
  message(m: LiveMessage): void;
  status(s: LiveStatus): void;
}

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 15_000;
const PING_EVERY_MS = 20_000;
/** No pong this long after a ping: the connection is dead even if the socket has not said so. */
const PONG_WITHIN_MS = 10_000;

export function watchMarket(marketId: string, on: LiveHandlers): () => void {
  let ws: WebSocket | undefined;
  let attempt = 0;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;

  const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/v1/live?market=${encodeURIComponent(marketId)}&access_token=${encodeURIComponent(accessToken() ?? "")}`;

  const connect = () => {
    on.status({ state: "connecting" });
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      attempt = 0;
      on.status({ state: "live" });
      pingTimer = setInterval(() => {
        socket.send("ping");
        pongTimer ??= setTimeout(() => socket.close(4000, "no pong"), PONG_WITHIN_MS);
      }, PING_EVERY_MS);
    };
    socket.onmessage = (e) => {
      clearTimeout(pongTimer);
      pongTimer = undefined;
      const text = String(e.data);
      if (!text.startsWith("{")) return;
      on.message(JSON.parse(text) as LiveMessage);
    };
    socket.onclose = (e) => {
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      pongTimer = undefined;
      if (stopped) return;
      if (e.code >= 4400 && e.code < 4500 && e.code !== 4429) {
        on.status({ state: "refused", reason: e.reason });
        return;
      }
      const delay = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt += 1;
      on.status({ state: "waiting", retryAt: Date.now() + delay, attempt });
      retryTimer = setTimeout(connect, delay);
    };
  };

  // A page brought back to the foreground retries at once rather than after a long backoff.
  const onVisible = () => {
    if (document.visibilityState !== "visible" || ws?.readyState !== WebSocket.CLOSED || stopped) return;
    clearTimeout(retryTimer);
    attempt = 0;
    connect();
  };
  document.addEventListener("visibilitychange", onVisible);
  connect();

  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    document.removeEventListener("visibilitychange", onVisible);
    ws?.close(1000, "done");
  };
}
