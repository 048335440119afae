import { connect, type Socket } from "node:net";
import { resolve } from "node:path";
import { runToEnd } from "./proc";
import { percentile } from "./stats";

/**
 * A constant-rate (open-model) HTTP load generator, as wrk2 does it: request i is *scheduled*
 * at start + i / rate whatever happened before, sent on the first idle keep-alive connection,
 * and its latency is measured from its scheduled time. A server that stalls therefore shows its
 * queueing in the percentiles instead of slowing the generator down with it (the "coordinated
 * omission" of closed-loop tools such as wrk, whose latencies stop counting while the server
 * makes them wait).
 *
 * It runs in a process of its own (`fixedRate()` spawns this file), so that neither its timers
 * nor its sockets compete with the benchmark's process, which also hosts the database bridges
 * the platform calls. HTTP/1.1 over plain TCP, written and parsed here: one request at a time per
 * connection, Content-Length or chunked answers.
 */

export interface FixedRateSpec {
  url: string;
  /** Requests per second, held for the whole run. */
  rate: number;
  seconds: number;
  /** Keep-alive connections; a request waits (and its latency grows) while all are busy. */
  connections: number;
  /** POSTed in turn as JSON (one per request); ignored by GET. */
  bodies: readonly string[];
  /** POST (the default) or GET. */
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Return every latency too (ascending), e.g. to pool several runs. */
  samples?: boolean;
}

export interface FixedRateResult {
  generator: "fixed-rate";
  rate: number;
  seconds: number;
  /** Requests scheduled (rate × seconds) and those answered before the end of the run. */
  scheduled: number;
  completed: number;
  /** Answers per second over the run: ≈ rate when the server keeps up. */
  achievedRps: number;
  statusErrors: number;
  socketErrors: number;
  /** Requests still unanswered when the run (plus a grace period) ended. */
  unfinished: number;
  firstError?: string;
  /** From each request's scheduled time to its answer's last byte. */
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** How late the generator sent requests beyond their schedule while a connection was free (its own jitter), p99. */
  sendLagP99Ms: number;
  generatorCores: number;
  /** Every latency, ascending, when asked for. */
  samplesMs?: number[];
}

/** How long in-flight requests may still finish after the schedule ends. */
const GRACE_MS = 5_000;

/**
 * Runs the generator in a child process and returns what it measured.
 *
 * @example
 * const r = await fixedRate({ url: `${api}/v1/quotes`, rate: 800, seconds: 10, connections: 50, bodies });
 * r.latencyMs.p99 // ms from each request's scheduled time to its answer
 */
export async function fixedRate(spec: FixedRateSpec): Promise<FixedRateResult> {
  const { code, stdout, stderr } = await runToEnd(
    [process.execPath, resolve(import.meta.dir, "fixed-rate.ts")],
    spec.seconds + 60,
    JSON.stringify(spec),
  );
  if (code !== 0) throw new Error(`fixed-rate generator failed (exit ${code}): ${stderr.slice(0, 600)}`);
  return JSON.parse(stdout) as FixedRateResult;
}

/** One keep-alive connection: sends a request when idle, parses one answer at a time. */
class Connection {
  #socket: Socket | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #busy: { scheduled: number; done: (status: number | "error", body: string) => void } | undefined;
  #ready: Promise<void> | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  get idle(): boolean {
    return this.#busy === undefined;
  }

  #open(): Promise<void> {
    this.#ready ??= new Promise<void>((resolveOpen, rejectOpen) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      socket.once("connect", () => resolveOpen());
      socket.on("data", (chunk: Buffer) => this.#data(chunk));
      const gone = () => {
        this.#socket = undefined;
        this.#ready = undefined;
        this.#buffer = Buffer.alloc(0);
        const busy = this.#busy;
        this.#busy = undefined;
        busy?.done("error", "connection closed");
        rejectOpen(new Error("connection failed"));
      };
      socket.on("error", gone);
      socket.on("close", gone);
      this.#socket = socket;
    });
    return this.#ready;
  }

  send(request: Buffer, scheduled: number, done: (status: number | "error", body: string) => void): void {
    this.#busy = { scheduled, done };
    this.#open().then(
      () => this.#socket?.write(request),
      () => undefined, // reported through `done` by the close handler
    );
  }

  #data(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const answer = parseAnswer(this.#buffer);
    if (!answer) return;
    this.#buffer = this.#buffer.subarray(answer.length);
    const busy = this.#busy;
    this.#busy = undefined;
    if (answer.close) this.#socket?.destroy();
    busy?.done(answer.status, answer.status >= 400 ? answer.body : "");
  }

  close(): void {
    this.#socket?.destroy();
  }
}

/** One complete HTTP/1.1 answer at the start of `buf`, or undefined if more bytes are needed. */
export function parseAnswer(buf: Buffer): { status: number; length: number; body: string; close: boolean } | undefined {
  const headEnd = buf.indexOf("\r\n\r\n");
  if (headEnd < 0) return undefined;
  const head = buf.subarray(0, headEnd).toString("latin1");
  const status = Number(head.slice(9, 12));
  const lines = head.split("\r\n");
  const header = (name: string) =>
    lines
      .find((l) => l.slice(0, name.length + 1).toLowerCase() === `${name}:`)
      ?.slice(name.length + 1)
      .trim();
  const close = header("connection")?.toLowerCase() === "close";
  const start = headEnd + 4;
  if (header("transfer-encoding")?.toLowerCase().includes("chunked")) {
    let at = start;
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(buf.subarray(at, lineEnd).toString("latin1"), 16);
      if (size === 0) {
        // No trailers are expected: the last chunk is followed by one empty line.
        if (buf.length < lineEnd + 4) return undefined;
        return { status, length: lineEnd + 4, body: Buffer.concat(parts).toString("utf8"), close };
      }
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = Number(header("content-length") ?? 0);
  if (buf.length < start + length) return undefined;
  return { status, length: start + length, body: buf.subarray(start, start + length).toString("utf8"), close };
}

/** The run itself, in this (child) process. */
export async function run(spec: FixedRateSpec): Promise<FixedRateResult> {
  const url = new URL(spec.url);
  const target = `${url.pathname}${url.search}`;
  const headerLines = (headers: Record<string, string>) =>
    Object.entries({ ...spec.headers, host: url.host, ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
  const requests =
    spec.method === "GET"
      ? [Buffer.from(`GET ${target} HTTP/1.1\r\n${headerLines({})}\r\n`)]
      : spec.bodies.map((body) => {
          const bytes = Buffer.from(body);
          const head = headerLines({ "content-type": "application/json", "content-length": String(bytes.length) });
          return Buffer.concat([Buffer.from(`POST ${target} HTTP/1.1\r\n${head}\r\n`), bytes]);
        });
  const connections = Array.from({ length: spec.connections }, () => new Connection(url.hostname, Number(url.port || 80)));
  const interval = 1000 / spec.rate;
  const scheduled = Math.max(1, Math.floor(spec.rate * spec.seconds));
  const latencies = new Float64Array(scheduled);
  const lags: number[] = [];
  let completed = 0;
  let statusErrors = 0;
  let socketErrors = 0;
  let firstError: string | undefined;
  let next = 0;
  let sent = 0;
  let lastAnswer = 0;
  const queue: number[] = [];
  const cpuBefore = process.cpuUsage();
  // Connections open before the clock starts, as wrk's do.
  await Promise.all(
    connections.map(
      (c) =>
        new Promise<void>((ok) => {
          c.send(requests[0] as Buffer, 0, () => ok());
        }),
    ),
  );
  const start = performance.now() + 10;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((ok) => {
    allDone = ok;
  });

  const dispatch = () => {
    const now = performance.now();
    while (next < scheduled && start + next * interval <= now) queue.push(start + next++ * interval);
    for (const c of connections) {
      const at = queue[0];
      if (at === undefined) break;
      if (!c.idle) continue;
      queue.shift();
      if (lags.length < 100_000) lags.push(now - at);
      c.send(requests[sent++ % requests.length] as Buffer, at, (status, body) => {
        const answered = performance.now();
        lastAnswer = answered;
        if (status === "error") {
          socketErrors += 1;
        } else {
          latencies[completed++] = answered - at;
          if (status >= 400) {
            statusErrors += 1;
            firstError ??= `${status} ${body.slice(0, 300)}`;
          }
        }
        if (completed + socketErrors >= scheduled) allDone();
        else dispatch();
      });
    }
  };
  const timer = setInterval(dispatch, 1);
  const deadline = new Promise<void>((ok) => setTimeout(ok, spec.seconds * 1000 + GRACE_MS + 10));
  await Promise.race([finished, deadline]);
  clearInterval(timer);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const c of connections) c.close();
  const sorted = Array.from(latencies.subarray(0, completed)).sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  return {
    generator: "fixed-rate",
    rate: spec.rate,
    seconds: spec.seconds,
    scheduled,
    completed,
    achievedRps: completed / Math.max(spec.seconds, (lastAnswer - start) / 1000),
    statusErrors,
    socketErrors,
    unfinished: scheduled - completed - socketErrors,
    ...(firstError ? { firstError } : {}),
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted[sorted.length - 1] ?? Number.NaN,
    },
    sendLagP99Ms: percentile(lags, 99),
    generatorCores: (cpu.user + cpu.system) / 1e6 / seconds,
    ...(spec.samples ? { samplesMs: sorted.map((v) => Math.round(v * 1000) / 1000) } : {}),
  };
}

if (import.meta.main) {
  const spec = JSON.parse(await new Response(Bun.stdin.stream()).text()) as FixedRateSpec;
  process.stdout.write(JSON.stringify(await run(spec)));
  process.exit(0);
}
