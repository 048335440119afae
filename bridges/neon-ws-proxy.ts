import { connect, type Socket } from "node:net";
import type { ServerWebSocket } from "bun";
import { accessCheck, tokenPath } from "./access";
import { isLoopbackHost, loopbackDialHost, splitHostPort } from "./loopback";

/**
 * The WebSocket → TCP proxy that `@neondatabase/serverless`'s `Pool`/`Client` expect, following
 * Neon's convention behind the run's token: `ws://HOST:PORT/<token>/v1?address=<pg host>:<pg port>`,
 * every binary frame carrying raw Postgres protocol bytes, both ways. Before the upgrade, a
 * request without the token is refused (401), one from a web page (403, see access.ts), and one
 * for a target off this machine (403).
 *
 * Backpressure runs both ways: when Postgres' socket buffer is full the WebSocket stops being
 * read, and when the WebSocket's send buffer is full the Postgres socket stops being read.
 */

export interface NeonWsProxyOptions {
  /** The run's secret, the first segment of the path (see access.ts). */
  token: string;
  /** Browser origins that may connect; none by default. */
  allowedOrigins?: readonly string[];
  /** 0 (the default) picks a free port. */
  port?: number;
  hostname?: string;
}

export interface NeonWsProxy {
  port: number;
  stop(): Promise<void>;
}

interface Tunnel {
  host: string;
  port: number;
  socket?: Socket;
}

/** Largest message a client may send: big enough for bulk inserts, small enough to stay a dev tool. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * Starts the proxy on 127.0.0.1.
 *
 * @example
 * const proxy = startNeonWsProxy({ token, port: 0 });
 * neonConfig.wsProxy = (host, port) => `127.0.0.1:${proxy.port}/${token}/v1?address=${host}:${port}`;
 */
export function startNeonWsProxy(options: NeonWsProxyOptions): NeonWsProxy {
  const refused = accessCheck(options, text);
  const sockets = new Set<Socket>();
  const server = Bun.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    fetch(request, srv) {
      const url = new URL(request.url);
      const { token, path } = tokenPath(url.pathname);
      const refusal = refused(request, token);
      if (refusal) return refusal;
      if (path !== "/v1") return text(404, "not found: connect to /<token>/v1?address=host:port");
      const target = splitHostPort(url.searchParams.get("address") ?? "");
      if (!target) return text(400, "expected ?address=host:port");
      if (!isLoopbackHost(target.host)) {
        return text(403, `neon-ws-proxy: refusing ${target.host}, only loopback hosts (127.0.0.0/8, ::1, localhost)`);
      }
      const data: Tunnel = { host: loopbackDialHost(target.host), port: target.port };
      if (srv.upgrade(request, { data })) return undefined;
      return text(426, "expected a WebSocket upgrade");
    },
    websocket: {
      data: {} as Tunnel,
      maxPayloadLength: MAX_FRAME_BYTES,
      // An idle pooled database connection is normal: keep it open with pings instead of timing out.
      idleTimeout: 960,
      sendPings: true,
      open(ws) {
        const socket = connect({ host: ws.data.host, port: ws.data.port });
        ws.data.socket = socket;
        sockets.add(socket);
        socket.setNoDelay(true);
        socket.setKeepAlive(true);
        socket.on("data", (chunk: Buffer) => forwardToClient(ws, socket, chunk));
        socket.on("drain", () => ws.resume());
        socket.on("error", (error) => closeClient(ws, 1011, `postgres: ${error.message}`));
        socket.on("close", () => {
          sockets.delete(socket);
          closeClient(ws, 1000, "postgres closed the connection");
        });
      },
      message(ws, message) {
        const socket = ws.data.socket;
        if (!socket || socket.destroyed) return;
        // node:net queues writes made before the connection is up, so nothing is lost while it connects.
        const bytes = typeof message === "string" ? Buffer.from(message, "utf8") : message;
        if (!socket.write(bytes)) ws.pause();
      },
      drain(ws) {
        ws.data.socket?.resume();
      },
      close(ws) {
        const socket = ws.data.socket;
        if (!socket || socket.destroyed) return;
        // Flush what the client already sent (typically Terminate), then end; Postgres then closes its side.
        socket.end();
        setTimeout(() => socket.destroy(), 5000).unref?.();
      },
    },
  });
  return {
    port: server.port ?? 0,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await server.stop(true);
    },
  };
}

function forwardToClient(ws: ServerWebSocket<Tunnel>, socket: Socket, chunk: Buffer): void {
  if (ws.readyState !== 1) {
    socket.destroy();
    return;
  }
  const status = ws.send(chunk);
  // -1: queued behind earlier data (resume on drain); 0: dropped because the client is gone.
  if (status === -1) socket.pause();
  else if (status === 0) socket.destroy();
}

function closeClient(ws: ServerWebSocket<Tunnel>, code: number, reason: string): void {
  // A close reason is limited to 123 bytes.
  if (ws.readyState === 1) ws.close(code, reason.slice(0, 120));
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
