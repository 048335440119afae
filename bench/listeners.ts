import { resolve } from "node:path";
import type { Subprocess } from "bun";
import type { Api } from "./platform";

/**
 * Many live subscribers of one cell, held by a process of their own (this file, spawned by
 * `Listeners.start()`), so that receiving thousands of messages does not compete with the
 * benchmark's own process (its timers, its clients, the database bridges the platform calls).
 *
 * The child reports each change once: when every socket has it, or a few seconds after the first
 * one did. Arrival times are wall-clock milliseconds (sub-millisecond resolution), comparable
 * with the `at` the zone stamps on the change when it computes it.
 */

/** One change as every subscriber received it. */
export interface Delivery {
  cell: string;
  seq: number;
  multiplier: number;
  /** When the zone computed the change (the message's `at`), ms since the epoch. */
  at: number;
  /** Sockets that received it, out of `sockets`. */
  received: number;
  sockets: number;
  /** Wall-clock arrival at the first, the median and the last socket, ms since the epoch. */
  first: number;
  median: number;
  last: number;
}

type Command = { cmd: "connect"; url: string; count: number } | { cmd: "close" };
type Report =
  | { type: "connected"; sockets: number; seconds: number }
  | { type: "failed"; error: string }
  | ({ type: "delivery" } & Delivery)
  | { type: "closed" };

/** Sockets opened at once while connecting. */
const CONNECT_BATCH = 250;
/** A change still missing on some sockets is reported this long after its first arrival. */
const STRAGGLER_MS = 5_000;

/** The parent's handle on the child process. */
export class Listeners {
  readonly #proc: Subprocess<"pipe", "pipe", "inherit">;
  readonly #waiting: Array<(r: Report) => boolean> = [];
  readonly deliveries: Delivery[] = [];

  private constructor(proc: Subprocess<"pipe", "pipe", "inherit">) {
    this.#proc = proc;
    void this.#read();
  }

  static start(): Listeners {
    return new Listeners(
      Bun.spawn([process.execPath, resolve(import.meta.dir, "listeners.ts")], {
        stdin: "pipe",
        stdout: "pipe",
        stderr: "inherit",
      }),
    );
  }

  /** The child's pid (for its CPU time). */
  get pid(): number {
    return this.#proc.pid;
  }

  async #read(): Promise<void> {
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of this.#proc.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const report = JSON.parse(pending.slice(0, nl)) as Report;
        pending = pending.slice(nl + 1);
        if (report.type === "delivery") this.deliveries.push(report);
        const i = this.#waiting.findIndex((w) => w(report));
        if (i >= 0) this.#waiting.splice(i, 1);
        nl = pending.indexOf("\n");
      }
    }
  }

  #send(command: Command): void {
    this.#proc.stdin.write(`${JSON.stringify(command)}\n`);
    this.#proc.stdin.flush();
  }

  #next<T extends Report>(match: (r: Report) => r is T, timeoutMs: number): Promise<T | undefined> {
    return new Promise((ok) => {
      const timer = setTimeout(() => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        ok(undefined);
      }, timeoutMs);
      const waiter = (r: Report) => {
        if (!match(r)) return false;
        clearTimeout(timer);
        ok(r);
        return true;
      };
      this.#waiting.push(waiter);
    });
  }

  /** Opens sockets until `total` subscribe to `cells`; resolves with the time it took. */
  async connect(api: Api, cells: readonly string[], total: number): Promise<{ sockets: number; seconds: number }> {
    const url = `${api.url.replace(/^http/, "ws")}/v1/live?cells=${cells.join(",")}&access_token=${api.token}`;
    const done = this.#next(
      (r): r is Extract<Report, { type: "connected" | "failed" }> => r.type === "connected" || r.type === "failed",
      600_000,
    );
    this.#send({ cmd: "connect", url, count: total });
    const r = await done;
    if (!r) throw new Error("listeners: no answer to connect");
    if (r.type === "failed") throw new Error(`listeners: ${r.error}`);
    return r;
  }

  /** The first delivery (already reported or coming) that `match` accepts, or undefined after `timeoutMs`. */
  async delivery(match: (d: Delivery) => boolean, timeoutMs: number): Promise<Delivery | undefined> {
    const seen = this.deliveries.find(match);
    if (seen) return seen;
    return this.#next((r): r is Extract<Report, { type: "delivery" }> => r.type === "delivery" && match(r), timeoutMs);
  }

  /** Closes every socket and ends the child. */
  async close(): Promise<void> {
    this.#send({ cmd: "close" });
    const exited = await Promise.race([this.#proc.exited, Bun.sleep(15_000).then(() => undefined)]);
    if (exited === undefined) this.#proc.kill();
  }
}

/** The child: holds the sockets, reports deliveries as JSON lines on stdout. */
function child(): void {
  const sockets: WebSocket[] = [];
  const changes = new Map<string, { d: Delivery; times: Float64Array; timer: Timer }>();
  const report = (r: Report) => process.stdout.write(`${JSON.stringify(r)}\n`);
  const now = () => performance.timeOrigin + performance.now();
  // Every subscriber gets the same text for a change: parse it once.
  let lastText = "";
  let lastKey = "";

  const finish = (key: string) => {
    const entry = changes.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    changes.delete(key);
    const times = entry.times.subarray(0, entry.d.received).sort();
    report({
      type: "delivery",
      ...entry.d,
      first: times[0] ?? Number.NaN,
      median: times[Math.floor(times.length / 2)] ?? Number.NaN,
      last: times[times.length - 1] ?? Number.NaN,
    });
  };

  const onSurge = (text: string, arrived: number) => {
    if (text !== lastText) {
      const m = JSON.parse(text) as { type: string; cell: string; seq: number; multiplier: number; at: string };
      lastText = text;
      lastKey = m.type === "surge" ? `${m.cell}:${m.seq}` : "";
      if (lastKey && !changes.has(lastKey)) {
        const d: Delivery = {
          cell: m.cell,
          seq: m.seq,
          multiplier: m.multiplier,
          at: Date.parse(m.at),
          received: 0,
          sockets: sockets.length,
          first: 0,
          median: 0,
          last: 0,
        };
        const key = lastKey;
        changes.set(key, { d, times: new Float64Array(sockets.length), timer: setTimeout(() => finish(key), STRAGGLER_MS) });
      }
    }
    const entry = lastKey ? changes.get(lastKey) : undefined;
    if (!entry) return;
    entry.times[entry.d.received++] = arrived;
    if (entry.d.received >= entry.d.sockets) finish(lastKey);
  };

  const open = (url: string) =>
    new Promise<WebSocket>((ok, fail) => {
      // No per-message deflate, as production negotiates none (see `no_web_socket_compression`).
      const ws = new WebSocket(url, { perMessageDeflate: false } as Bun.WebSocketOptions);
      const timer = setTimeout(() => fail(new Error("no snapshot within 30 s")), 30_000);
      ws.onmessage = (event) => {
        const arrived = now();
        const text = String(event.data);
        if (text.startsWith('{"type":"surge"')) onSurge(text, arrived);
        else if (text.startsWith('{"type":"snapshot"')) {
          clearTimeout(timer);
          ok(ws);
        } else if (text.startsWith('{"type":"error"')) fail(new Error(text.slice(0, 200)));
      };
      ws.onerror = () => fail(new Error("WebSocket error while subscribing"));
      ws.onclose = (e) => {
        clearTimeout(timer);
        fail(new Error(`WebSocket closed (${e.code})`));
      };
    });

  const handle = async (c: Command) => {
    if (c.cmd === "close") {
      const closed = sockets.map(
        (ws) =>
          new Promise<void>((ok) => {
            ws.onclose = () => ok();
            ws.onerror = () => ok();
            ws.close(1000, "bench done");
          }),
      );
      await Promise.race([Promise.all(closed), Bun.sleep(10_000)]);
      report({ type: "closed" });
      process.exit(0);
    }
    const started = performance.now();
    try {
      while (sockets.length < c.count) {
        const n = Math.min(CONNECT_BATCH, c.count - sockets.length);
        sockets.push(...(await Promise.all(Array.from({ length: n }, () => open(c.url)))));
      }
      report({ type: "connected", sockets: sockets.length, seconds: (performance.now() - started) / 1000 });
    } catch (error) {
      report({ type: "failed", error: `${sockets.length} sockets open, then: ${String(error)}` });
    }
  };

  let pending = "";
  process.stdin.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      void handle(JSON.parse(pending.slice(0, nl)) as Command);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
  });
}

if (import.meta.main) child();
