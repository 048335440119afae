import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { MACHINE_POSTGRES, testDatabaseName } from "../../harness/database";
import type { TokenClaims } from "../../harness/tokens";
import { ROOT } from "../../harness/workers";
import { devToken } from "../../scripts/dev-keys";
import { connectionString, createDatabase, dropDatabase } from "../../scripts/postgres";

/**
 * The dev command (`bun scripts/dev.ts`, what `npm start` runs) as a user runs it, but apart
 * from the developer's own: a copy of the checkout in a temp folder (its own `.dev.vars` keys
 * and `.wrangler/state`), `node_modules` linked, free ports, a fresh database on the machine's
 * PostgreSQL. It can be started again on the same state, interrupted as a terminal's Ctrl-C
 * does, or crashed. Every process it started is tracked, so none outlives the test.
 */

const PREFIX = "equilibrium-stop-";
const READY_LINE = "Equilibrium is running at";
const START_WAIT_MS = 120_000;

/** A process as /proc knows it; the start time tells it from a later process with the same pid. */
interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  started: string;
  /** Z: exited, waiting to be reaped. */
  state: string;
}

function processes(): Map<number, Proc> {
  const all = new Map<number, Proc>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime ..."
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    all.set(Number(entry), {
      pid: Number(entry),
      state: fields[0] ?? "",
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      started: fields[19] ?? "",
    });
  }
  return all;
}

/** Those of `known` that still run (a pid reused by another process does not count, nor one that has exited). */
function stillRunning(known: Iterable<Proc>): Proc[] {
  const now = processes();
  return [...known].filter((p) => {
    const current = now.get(p.pid);
    return current !== undefined && current.started === p.started && current.state !== "Z";
  });
}

/** A free TCP port on 127.0.0.1 (free when asked; the dev command binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** One run of the dev command, from start to exit. */
export interface DevRun {
  readonly pid: number;
  /** Resolves when the dev command's own process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it printed. */
  output(): string;
  /** SIGINT to its process group, as a terminal's Ctrl-C. */
  interrupt(): void;
  /**
   * SIGKILL to every process of the run at once (the command's group and wrangler's, which has
   * its own): the whole platform dies as in a power cut or an OOM kill.
   */
  crash(): void;
  /** Processes this run started that are still alive after `graceMs` (killed ones take a moment to go). */
  leftovers(graceMs?: number): Promise<number[]>;
  /** SIGKILL to whatever of the run is still alive. */
  kill(): void;
}

export interface DevCommand {
  readonly dir: string;
  readonly url: string;
  readonly database: { name: string; url: string };
  /** The environment it runs in. */
  readonly env: Readonly<NodeJS.ProcessEnv>;
  /** Starts the dev command; resolves once it says it is running (its demo markets loaded). */
  start(): Promise<DevRun>;
  /** An access token signed with this copy's development key (as `bun run token` does). */
  token(claims: TokenClaims): Promise<string>;
  /** Kills what still runs, drops the database, removes the copy. */
  dispose(): Promise<void>;
  /** The same, at once and without waiting (when the test process itself is ending). */
  abandon(): void;
}

/** Copies the checkout's files (tracked, and new ones not ignored: what the other tests see) into a temp folder. */
function copyCheckout(): string {
  sweepStale();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    const from = join(ROOT, file);
    if (file === "node_modules" || !existsSync(from)) continue; // linked below; deleted in the working tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), join(dir, file));
    else copyFileSync(from, join(dir, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** Removes copies left by test runs that no longer exist (their pid is in the name). */
function sweepStale(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue;
    const pid = Number(entry.slice(PREFIX.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    }
  }
}

const live = new Set<DevCommand>();
// Should the test process end without its cleanup (killed, interrupted), its platforms go with it.
process.on("exit", () => {
  for (const command of live) command.abandon();
});

export interface DevCommandOptions {
  /**
   * Leave the bridges' port variables unset, as in a user's shell: the dev command takes its
   * defaults, or free ports where those are taken. Otherwise each gets a free port.
   */
  defaultBridgePorts?: boolean;
  /**
   * The database DATABASE_URL names: a fresh one made here (the default), one that does not exist
   * yet ("missing": the dev command must make it), or another command's.
   */
  database?: "fresh" | "missing" | { name: string; url: string };
  /** PORT, when not a free one (a taken one, say). */
  port?: number;
}

export async function devCommand(options: DevCommandOptions = {}): Promise<DevCommand> {
  const dir = copyCheckout();
  const shared = typeof options.database === "object" ? options.database : undefined;
  const name = shared?.name ?? testDatabaseName();
  if ((options.database ?? "fresh") === "fresh") createDatabase(MACHINE_POSTGRES, name);
  const database = shared ?? { name, url: connectionString(MACHINE_POSTGRES, name) };
  const port = options.port ?? (await freePort());
  const bridgePorts = options.defaultBridgePorts
    ? {}
    : {
        NEON_WS_PORT: String(await freePort()),
        NEON_HTTP_PORT: String(await freePort()),
        UPSTASH_PORT: String(await freePort()),
      };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    ...bridgePorts,
    DATABASE_URL: database.url,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
  };
  // The user's defaults, whatever this shell has set.
  delete env.SIMULATE;
  delete env.STOP_TIMEOUT_SECONDS;
  delete env.WRANGLER_LOG_LEVEL;
  if (options.defaultBridgePorts) for (const variable of ["NEON_WS_PORT", "NEON_HTTP_PORT", "UPSTASH_PORT"]) delete env[variable];
  const runs: Array<DevRun> = [];
  let starts = 0;

  const start = async (): Promise<DevRun> => {
    starts += 1;
    const logPath = join(dir, `dev-${starts}.log`);
    const log = openSync(logPath, "w");
    // Its own process group, like a command started from a shell, so signals reach exactly it.
    const child: ChildProcess = spawn(process.execPath, ["scripts/dev.ts"], {
      cwd: dir,
      env,
      detached: true,
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    const pid = child.pid as number;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const sentinel = watchOver(pid);
    // Everything the run starts, recorded while it runs (once its parent dies, a process's lineage is lost).
    const seen = new Map<number, Proc>();
    const record = () => {
      const all = processes();
      const self = all.get(pid);
      // Once the command has exited its pid means nothing (it may even be another process's).
      if (!self || self.state === "Z" || (seen.has(pid) && seen.get(pid)?.started !== self.started)) return;
      if (!seen.has(pid)) seen.set(pid, self);
      const children = new Map<number, Proc[]>();
      for (const p of all.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
      const queue = [pid];
      for (let next = queue.pop(); next !== undefined; next = queue.pop())
        for (const c of children.get(next) ?? []) {
          if (!seen.has(c.pid)) seen.set(c.pid, c);
          queue.push(c.pid);
        }
    };
    const recorder = setInterval(record, 250);
    void exited.then(() => clearInterval(recorder));
    const signalAll = (signal: NodeJS.Signals) => {
      record();
      const running = stillRunning(seen.values());
      for (const target of [...new Set([pid, ...running.map((p) => p.pgid)])].map((g) => -g).concat(running.map((p) => p.pid))) {
        try {
          process.kill(target, signal);
        } catch {
          // already gone
        }
      }
    };
    const run: DevRun = {
      pid,
      exited,
      output: () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : ""),
      interrupt: () => process.kill(-pid, "SIGINT"),
      crash: () => signalAll("SIGKILL"),
      leftovers: async (graceMs = 3_000) => {
        record();
        const deadline = Date.now() + graceMs;
        while (stillRunning(seen.values()).length > 0 && Date.now() < deadline) await Bun.sleep(100);
        return stillRunning(seen.values()).map((p) => p.pid);
      },
      kill: () => {
        signalAll("SIGKILL");
        sentinel.kill("SIGKILL");
      },
    };
    runs.push(run);
    const deadline = Date.now() + START_WAIT_MS;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void exited.then((e) => {
      exit = e;
    });
    while (!run.output().includes(READY_LINE)) {
      if (exit || Date.now() > deadline) {
        run.kill();
        const why = exit ? `exited (${exit.code ?? exit.signal})` : `did not say it was running within ${START_WAIT_MS / 1000} s`;
        throw new Error(`the dev command ${why}; its output ended:\n${run.output().slice(-4000)}`);
      }
      await Bun.sleep(200);
    }
    record();
    return run;
  };

  const command: DevCommand = {
    dir,
    url: `http://127.0.0.1:${port}`,
    database,
    env,
    start,
    token: (claims) => devToken(join(dir, ".dev.vars"), claims),
    async dispose() {
      for (const run of runs) run.kill();
      // Killed processes take a moment to go; workerd must not write into the folder as it is removed.
      for (const run of runs) await run.leftovers();
      command.abandon();
    },
    abandon() {
      live.delete(command);
      for (const run of runs) run.kill();
      try {
        dropDatabase(MACHINE_POSTGRES, name);
      } catch {
        // left for the next run's sweep (harness/database.ts drops databases of runs that are gone)
      }
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // a process still writing: the next run sweeps copies whose test process is gone
      }
    },
  };
  live.add(command);
  return command;
}

/**
 * A watchdog in a session of its own: should this test process die without cleaning up, it kills
 * the dev command's group (whose wrangler then stops itself: see scripts/dev-stop.ts). It ends
 * by itself once the group is gone.
 */
function watchOver(group: number): ChildProcess {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 -${group} 2>/dev/null; do sleep 1; done; kill -KILL -${group} 2>/dev/null; true`;
  const watchdog = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  watchdog.unref();
  return watchdog;
}
