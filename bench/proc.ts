import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ResourceUsage } from "bun";

/**
 * What the benchmarks read from /proc: the workerd processes Miniflare starts (children of this
 * Bun process), their memory and CPU time, and this process's open-file limit.
 */

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

function readOr(path: string, fallback = ""): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number): string[] | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  const end = stat.lastIndexOf(")");
  return end < 0 ? undefined : stat.slice(end + 2).split(" ");
}

function parentOf(pid: number): number | undefined {
  const ppid = Number(statFields(pid)?.[1]);
  return Number.isFinite(ppid) ? ppid : undefined;
}

/** Every live process whose parent is `parent` and whose command line mentions `name`. */
export function childrenNamed(parent: number, name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || parentOf(pid) !== parent) continue;
    if (readOr(`/proc/${pid}/cmdline`).includes(name)) pids.push(pid);
  }
  return pids;
}

/** The workerd processes this Bun process runs right now. */
export function workerdPids(): number[] {
  return childrenNamed(process.pid, "workerd");
}

/** The workerd process started by whatever ran between `before` (a `workerdPids()` call) and now. */
export function newWorkerdPid(before: readonly number[]): number {
  const fresh = workerdPids().filter((pid) => !before.includes(pid));
  const pid = fresh[0];
  if (pid === undefined || fresh.length > 1) throw new Error(`expected one new workerd process, found ${fresh.length}`);
  return pid;
}

/** Resident memory of a process in bytes, or undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  const pages = Number(readOr(`/proc/${pid}/statm`).split(" ")[1]);
  return Number.isFinite(pages) && pages > 0 ? pages * PAGE_BYTES : undefined;
}

/** User + system CPU time a process has used, in seconds. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // After the name: state(0) ppid(1) ... utime(11) stime(12).
  const ticks = Number(fields?.[11] ?? 0) + Number(fields?.[12] ?? 0);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** CPU time all processes of the machine have used (user, nice, system, irq, softirq, steal), in seconds. */
export function machineBusySeconds(): number {
  const [, ...fields] = readOr("/proc/stat").split("\n")[0]?.trim().split(/\s+/) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_SECOND;
}

export interface CpuShares {
  /** Cores used by workerd (1.0 = one core busy all the time). */
  workerd: number;
  /** Cores used by this Bun process. */
  self: number;
  /** Cores used by the whole machine, everything included. */
  machine: number;
}

/** Measures the CPU shares while `work` runs. */
export async function withCpu<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpu: CpuShares }> {
  const before = { workerd: cpuSeconds(pid), self: process.cpuUsage(), machine: machineBusySeconds() };
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const self = process.cpuUsage(before.self);
  const share = (used: number) => (seconds > 0 ? used / seconds : 0);
  return {
    result,
    cpu: {
      workerd: share(cpuSeconds(pid) - before.workerd),
      self: share((self.user + self.system) / 1e6),
      machine: share(machineBusySeconds() - before.machine),
    },
  };
}

/** Memory the machine can still give without swapping (MemAvailable), in bytes. */
export function availableMemoryBytes(): number {
  const line = readOr("/proc/meminfo")
    .split("\n")
    .find((l) => l.startsWith("MemAvailable:"));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
}

/** Soft and hard limits on open files of this process. */
export function openFileLimits(): { soft: number; hard: number } {
  const line = readOr("/proc/self/limits")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  const [soft = "1024", hard = "1024"] = line?.replace("Max open files", "").trim().split(/\s+/) ?? [];
  const parse = (v: string) => (v === "unlimited" ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: parse(soft), hard: parse(hard) };
}

/** Total size of the files under a directory, in bytes (0 if it does not exist). */
export function directoryBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    try {
      const s = statSync(path);
      total += s.isDirectory() ? directoryBytes(path) : s.size;
    } catch {
      // removed meanwhile (SQLite journals come and go)
    }
  }
  return total;
}

/**
 * Runs a command to its end, `input` on its stdin, killed after `timeoutSeconds`; its exit code,
 * its output and the resources it used (its CPU time, for a load generator's own share).
 */
export async function runToEnd(
  command: string[],
  timeoutSeconds: number,
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string; usage: ResourceUsage | undefined }> {
  const proc = Bun.spawn(command, { stdin: input === undefined ? "ignore" : "pipe", stdout: "pipe", stderr: "pipe" });
  if (input !== undefined && proc.stdin) {
    proc.stdin.write(input);
    await proc.stdin.end();
  }
  const killer = setTimeout(() => proc.kill(), timeoutSeconds * 1000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(killer);
  return { code, stdout, stderr, usage: proc.resourceUsage() };
}
