import type { ChildProcess } from "node:child_process";

/**
 * How the dev command stops (Ctrl-C or SIGTERM) without losing what the platform accepted:
 *  1. `POST /v1/system/drain`: the platform refuses new writes (503 + Retry-After) and sends
 *     every outbox to history now;
 *  2. `GET /v1/system/backlog` until nothing is pending or the timeout passes; what is left stays
 *     in the zones' outboxes (SQLite under .wrangler/state) and is delivered on the next start;
 *  3. wrangler's process group: SIGTERM, then SIGKILL after a grace period.
 * A platform that does not answer the drain (an older one, or one already gone) is stopped
 * without it. A second Ctrl-C aborts the wait and kills at once.
 */

export interface Backlog {
  /** History rows accepted and not yet confirmed in Postgres. */
  pending: number;
  oldestAgeMs: number | null;
  draining: boolean;
}

export interface DrainOptions {
  /** The platform, e.g. `http://127.0.0.1:8787`. */
  base: string;
  /** An admin access token. */
  token: string;
  timeoutMs: number;
  /** Aborted by a second Ctrl-C: stop waiting. */
  signal: AbortSignal;
  /** Progress lines (about one a second). */
  log: (line: string) => void;
  pollMs?: number;
}

/** Seconds from `STOP_TIMEOUT_SECONDS` (default 30). */
export function stopTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const seconds = Number(env.STOP_TIMEOUT_SECONDS ?? 30);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new Error(`STOP_TIMEOUT_SECONDS must be a number of seconds, not ${env.STOP_TIMEOUT_SECONDS}`);
  return seconds * 1000;
}

const count = (n: number) => n.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Drains the platform's history into Postgres; returns the line that says how the stop ended.
 *
 * @example
 * const outcome = await drainHistory({ base, token, timeoutMs: 30_000, signal, log: console.log });
 * // "stopped: 12,345 history rows drained in 2.1 s"
 */
export async function drainHistory(o: DrainOptions): Promise<string> {
  const started = Date.now();
  const call = (path: string, init: RequestInit = {}, ms = 5_000) =>
    fetch(`${o.base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json" },
      // A platform that hangs must not hold the stop: each call gets a few seconds.
      signal: AbortSignal.any([o.signal, AbortSignal.timeout(ms)]),
    });

  try {
    // The drain also asks every outbox to send now, which takes longer under load.
    const res = await call("/v1/system/drain", { method: "POST", body: JSON.stringify({ draining: true }) }, 10_000);
    if (!res.ok) {
      const why = res.status === 404 ? " (a platform without drain)" : "";
      return `stopped without draining: POST /v1/system/drain answered ${res.status}${why}`;
    }
    o.log(
      `stopping: new writes refused; draining history to Postgres (up to ${seconds(o.timeoutMs)}; Ctrl-C again to stop at once)`,
    );
  } catch (err) {
    if (o.signal.aborted) return "stopped at once, without draining";
    if (!(err instanceof Error && err.name === "TimeoutError"))
      return `stopped without draining: the platform did not answer (${reason(err)})`;
    o.log("stopping: the drain request is still unanswered after 10 s; watching the backlog anyway");
  }

  let drained = 0;
  let last: number | undefined;
  let lastLog = started;
  for (;;) {
    let backlog: Backlog;
    try {
      const res = await call("/v1/system/backlog");
      if (!res.ok) throw new Error(`GET /v1/system/backlog answered ${res.status}`);
      backlog = (await res.json()) as Backlog;
    } catch (err) {
      if (o.signal.aborted) break;
      const known = last === undefined ? "" : ` with ${count(last)} rows pending at the last count`;
      return `stopped without finishing the drain: the platform stopped answering (${reason(err)})${known}`;
    }
    if (last !== undefined && backlog.pending < last) drained += last - backlog.pending;
    last = backlog.pending;
    const elapsed = Date.now() - started;
    if (backlog.pending === 0) return `stopped: ${count(drained)} history rows drained in ${seconds(elapsed)}`;
    if (elapsed >= o.timeoutMs)
      return `stopped after ${seconds(elapsed)} with ${count(backlog.pending)} rows still pending: they stay in the zones' outboxes and are delivered on the next start`;
    if (Date.now() - lastLog >= 1_000) {
      lastLog = Date.now();
      const age = backlog.oldestAgeMs === null ? "" : `, the oldest ${seconds(backlog.oldestAgeMs)} old`;
      o.log(`draining: ${count(backlog.pending)} history rows pending${age}`);
    }
    if (await pause(o.pollMs ?? 250, o.signal)) break;
  }
  const left =
    last === undefined
      ? ""
      : ` with ${count(last)} rows still pending: they stay in the zones' outboxes and are delivered on the next start`;
  return `stopped at once after ${seconds(Date.now() - started)}${left}`;
}

/**
 * Stops a child started in its own process group (`detached`): SIGTERM to the group, SIGKILL
 * after `graceMs` or as soon as `now` is aborted. Resolves once the child has exited.
 */
export async function stopProcessGroup(child: ChildProcess, graceMs: number, now: AbortSignal): Promise<void> {
  const kill = (signal: NodeJS.Signals) => signalGroup(child, signal);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    kill("SIGTERM");
    const timer = setTimeout(() => kill("SIGKILL"), graceMs);
    const killNow = () => kill("SIGKILL");
    if (now.aborted) killNow();
    now.addEventListener("abort", killNow, { once: true });
    await exited;
    clearTimeout(timer);
    now.removeEventListener("abort", killNow);
  }
  // What the group's leader started (workerd, esbuild) must not outlive it.
  kill("SIGKILL");
}

/** Sends a signal to a detached child's whole process group; a group already gone is fine. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // no such process group: everything in it has exited
  }
}

/**
 * A module for `node --import`: the process sends itself SIGTERM once its parent is gone. The
 * dev command puts wrangler in a process group of its own, so a kill of the command's group
 * (`kill -9`, a closed terminal) no longer reaches wrangler; this keeps it from outliving the
 * command and holding the port. wrangler passes Node's flags on to the process it starts.
 */
export const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  'const parent = process.ppid; setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, "SIGTERM"); }, 500).unref();',
)}`;

function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(true);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", done);
      resolve(false);
    }, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function reason(err: unknown): string {
  if (err instanceof Error) return err.name === "TimeoutError" ? "no answer within 5 s" : err.message;
  return String(err);
}
