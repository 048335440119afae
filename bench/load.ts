import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runToEnd } from "./proc";
import { log } from "./report";
import { percentile } from "./stats";

/**
 * A closed-loop HTTP load generator with a fixed number of keep-alive connections and a fixed
 * duration, POSTing JSON bodies in turn. `wrk` (C, one thread) when it is installed or can be
 * installed; otherwise a Bun `fetch` loop per connection. Whichever is chosen is used for every
 * throughput figure that is compared with another, so ratios stay fair.
 */

export interface LoadSpec {
  url: string;
  /** Sent with every request, besides content-type. */
  headers?: Record<string, string>;
  bodies: readonly string[];
  seconds: number;
  connections: number;
}

export interface LoadResult {
  generator: string;
  requests: number;
  seconds: number;
  rps: number;
  /** Responses with a status that is not a success (wrk: >= 400; Bun: not 2xx). */
  statusErrors: number;
  /** Connect, read, write errors and timeouts. */
  socketErrors: number;
  /** The first error response: status and the start of its body. */
  firstError?: string;
  latencyMs: { p50: number; p99: number };
  /** Share of a core the generator itself used (1.0 = one full core). */
  generatorCores: number;
}

export interface LoadGenerator {
  name: string;
  run(spec: LoadSpec): Promise<LoadResult>;
}

const LUA_SCRIPT = resolve(import.meta.dir, "wrk/post.lua");

/** wrk if available (installing it from Debian when running as root), else the Bun generator. */
export function chooseGenerator(preference: "auto" | "wrk" | "bun" = "auto"): LoadGenerator {
  if (preference === "bun") return bunGenerator;
  const wrk = Bun.which("wrk") ?? installWrk();
  if (wrk) return wrkGenerator(wrk);
  if (preference === "wrk") throw new Error("wrk is not installed and could not be installed");
  log("wrk is not available: falling back to the Bun load generator");
  return bunGenerator;
}

function installWrk(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const apt = (args: string[]) =>
    spawnSync("apt-get", args, {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 180_000,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    }).status === 0;
  log("installing wrk (apt-get install -y wrk) ...");
  if (!apt(["install", "-y", "-q", "wrk"])) {
    apt(["update", "-q"]);
    apt(["install", "-y", "-q", "wrk"]);
  }
  return Bun.which("wrk") ?? undefined;
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p99: number };
  firstError: string | null;
}

function wrkGenerator(path: string): LoadGenerator {
  return {
    name: "wrk",
    async run(spec) {
      const dir = mkdtempSync(join(tmpdir(), "equilibrium-bench-"));
      try {
        const bodies = join(dir, "bodies.txt");
        writeFileSync(bodies, `${spec.bodies.join("\n")}\n`);
        const headers = Object.entries(spec.headers ?? {}).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
        const args = ["-t1", `-c${spec.connections}`, `-d${spec.seconds}s`, "--timeout", "5s", ...headers];
        args.push("-s", LUA_SCRIPT, spec.url, "--", bodies);
        const { code, stdout, stderr, usage } = await runToEnd([path, ...args], spec.seconds + 30);
        const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
        if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${stdout}\n${stderr}`);
        const s = JSON.parse(line.slice("WRK_JSON ".length)) as WrkSummary;
        const seconds = s.durationUs / 1e6;
        const cpuUs = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) : 0;
        return {
          generator: "wrk",
          requests: s.requests,
          seconds,
          rps: s.requests / seconds,
          statusErrors: s.errors.status,
          socketErrors: s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout,
          ...(s.firstError ? { firstError: s.firstError } : {}),
          latencyMs: { p50: s.latencyUs.p50 / 1000, p99: s.latencyUs.p99 / 1000 },
          generatorCores: cpuUs / 1e6 / seconds,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const bunGenerator: LoadGenerator = {
  name: "bun-fetch",
  async run(spec) {
    const latencies: number[] = [];
    let statusErrors = 0;
    let socketErrors = 0;
    let firstError: string | undefined;
    let next = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + spec.seconds * 1000;
    const headers = { ...spec.headers, "content-type": "application/json" };
    const connection = async () => {
      while (performance.now() < deadline) {
        const body = spec.bodies[next++ % spec.bodies.length];
        const sent = performance.now();
        try {
          const res = await fetch(spec.url, { method: "POST", headers, body });
          const text = await res.text();
          if (!res.ok) {
            statusErrors += 1;
            firstError ??= `${res.status} ${text.slice(0, 300)}`;
          }
          latencies.push(performance.now() - sent);
        } catch {
          socketErrors += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: spec.connections }, connection));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    latencies.sort((a, b) => a - b);
    return {
      generator: "bun-fetch",
      requests: latencies.length,
      seconds,
      rps: latencies.length / seconds,
      statusErrors,
      socketErrors,
      ...(firstError ? { firstError } : {}),
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      generatorCores: (cpu.user + cpu.system) / 1e6 / seconds,
    };
  },
};
