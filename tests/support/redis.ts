import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

/**
 * A redis-server of a test's own, on a free port, that the test can stop and start again (same
 * port, empty data) to see what the code does while Redis is really gone. Nothing is persisted.
 */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly running: boolean;
  /** Starts the server again after `stop()`; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops the process and waits for it to exit (connections to it break). */
  stop(): Promise<void>;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
}

const HOST = "127.0.0.1";
const READY_WAIT_MS = 10_000;
const EXIT_WAIT_MS = 5_000;

/**
 * Starts `redis-server` (or `$REDIS_SERVER`) as a child process.
 *
 * @example
 * const redis = await startRedisServer();
 * const bridges = await startBridges({ redis });
 * await redis.stop(); // Redis is down
 * await redis.start(); // and back, empty
 */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "equilibrium-redis-"));
  let port = 0;
  const logfile = join(dir, "redis.log");
  let proc: Subprocess<"ignore", "ignore", "ignore"> | undefined;
  const killOnExit = () => proc?.kill("SIGKILL");
  process.on("exit", killOnExit);

  const spawn = async (): Promise<void> => {
    const child = Bun.spawn(
      [
        process.env.REDIS_SERVER || "redis-server",
        "--port",
        String(port),
        "--bind",
        HOST,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--dir",
        dir,
        // A log file, not a pipe: nobody reads a pipe while the test runs, and a full one would block Redis.
        "--logfile",
        logfile,
      ],
      { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
    );
    proc = child;
    const deadline = Date.now() + READY_WAIT_MS;
    while (!(await answersPing(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.exited;
        const log = existsSync(logfile) ? readFileSync(logfile, "utf8") : "(no log)";
        throw new Error(`redis-server on port ${port} did not start (exit ${child.exitCode}):\n${log.slice(-2000)}`);
      }
      await Bun.sleep(25);
    }
  };

  const stop = async (): Promise<void> => {
    const child = proc;
    if (!child || child.exitCode !== null) return;
    child.kill("SIGTERM");
    const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(EXIT_WAIT_MS).then(() => false)]);
    if (!exited) {
      child.kill("SIGKILL");
      await child.exited;
    }
  };

  // Another process may take the free port between the probe and redis-server binding it: try again.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await spawn();
      break;
    } catch (error) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        process.off("exit", killOnExit);
        throw error;
      }
    }
  }

  const server: RedisServer = {
    host: HOST,
    get port() {
      return port;
    },
    get running() {
      return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
    },
    async start() {
      if (server.running) return;
      await spawn();
    },
    stop,
    async dispose() {
      await stop();
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a Redis on `port` answers PING (a refused or silent connection is a no). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), 1000);
    let reply = "";
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
    socket.once("error", () => done(false));
  });
}
