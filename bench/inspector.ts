import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../tests/support/dev-command";

/**
 * The V8 heap of each Worker's isolate, read through workerd's inspector (the Chrome DevTools
 * protocol's `Runtime.getHeapUsage`). A Durable Object's 128 MB is its isolate's memory, and
 * locally one workerd process runs every Worker of the platform (the API with its Durable
 * Objects, the history writer, Miniflare's queue broker and asset router), so workerd's RSS
 * alone cannot tell a zone's memory from the rest: the API isolate's heap can.
 *
 * The harness starts workerd through Miniflare, which takes the binary from
 * `MINIFLARE_WORKERD_PATH`: `inspectedWorkerd()` points it at a small script that starts the
 * real binary with `--inspector-addr`, for the platforms started until `restore()`.
 */

export interface HeapUsage {
  /** Bytes held by live and not yet collected objects. */
  used: number;
  /** Bytes the heap has reserved. */
  total: number;
  /**
   * Bytes of ArrayBuffer backing stores (WebAssembly memory, request and message bodies): outside
   * the V8 heap, allocated by workerd's allocator, but the isolate's all the same. 0 where the
   * inspector does not report it.
   */
  backing: number;
}

/** The isolate of the API Worker (which hosts the zones) as workerd's inspector names it. */
export const API_ISOLATE = "core:user:equilibrium-api";
export const HISTORY_ISOLATE = "core:user:equilibrium-history";

/** Makes the next platforms' workerd listen for the inspector on a free port; `restore()` undoes it. */
export async function inspectedWorkerd(): Promise<{ port: number; restore(): void }> {
  const port = await freePort();
  // The binary Miniflare would run (the `workerd` package ships no types, hence the require).
  const workerdBinary = (createRequire(import.meta.url)("workerd") as { default: string }).default;
  const dir = mkdtempSync(join(tmpdir(), "equilibrium-inspect-"));
  const script = join(dir, "inspected-runtime.sh");
  // Miniflare runs `<binary> serve <flags...>`: the flag goes after the subcommand.
  writeFileSync(script, `#!/bin/sh\ncmd="$1"; shift\nexec '${workerdBinary}' "$cmd" --inspector-addr=127.0.0.1:${port} "$@"\n`);
  chmodSync(script, 0o755);
  const previous = process.env.MINIFLARE_WORKERD_PATH;
  process.env.MINIFLARE_WORKERD_PATH = script;
  return {
    port,
    restore() {
      if (previous === undefined) delete process.env.MINIFLARE_WORKERD_PATH;
      else process.env.MINIFLARE_WORKERD_PATH = previous;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Heap usage of one isolate, or undefined when the inspector does not answer within `timeoutMs`. */
export async function heapUsage(port: number, isolate: string, timeoutMs = 3_000): Promise<HeapUsage | undefined> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${isolate}`);
  try {
    return await new Promise<HeapUsage | undefined>((ok) => {
      const timer = setTimeout(() => ok(undefined), timeoutMs);
      ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: "Runtime.getHeapUsage", params: {} }));
      ws.onmessage = (event) => {
        const m = JSON.parse(String(event.data)) as {
          id?: number;
          result?: { usedSize: number; totalSize: number; backingStorageSize?: number };
        };
        if (m.id !== 1 || !m.result) return;
        clearTimeout(timer);
        ok({ used: m.result.usedSize, total: m.result.totalSize, backing: m.result.backingStorageSize ?? 0 });
      };
      ws.onerror = () => {
        clearTimeout(timer);
        ok(undefined);
      };
    });
  } finally {
    ws.close();
  }
}

/**
 * The live heap of one isolate: its used size right after a full collection. Workerd's inspector
 * does not answer `HeapProfiler.collectGarbage`, but a heap snapshot collects everything first,
 * so one is taken (its chunks are read and dropped) and the heap is read after it. Undefined
 * when the inspector does not answer within `timeoutMs`.
 */
export async function liveHeap(port: number, isolate: string, timeoutMs = 120_000): Promise<number | undefined> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${isolate}`);
  try {
    return await new Promise<number | undefined>((ok) => {
      const timer = setTimeout(() => ok(undefined), timeoutMs);
      const done = (value: number | undefined) => {
        clearTimeout(timer);
        ok(value);
      };
      ws.onopen = () =>
        ws.send(JSON.stringify({ id: 1, method: "HeapProfiler.takeHeapSnapshot", params: { reportProgress: false } }));
      ws.onmessage = (event) => {
        const m = JSON.parse(String(event.data)) as { id?: number; result?: { usedSize?: number } };
        if (m.id === 1) ws.send(JSON.stringify({ id: 2, method: "Runtime.getHeapUsage", params: {} }));
        else if (m.id === 2) done(m.result?.usedSize);
      };
      ws.onerror = () => done(undefined);
    });
  } finally {
    ws.close();
  }
}

/**
 * Every isolate workerd runs, by the id its inspector names it with: the platform's Workers
 * (`core:user:<name>`) and Miniflare's own (its entry, asset router, queue broker, caches...).
 */
export async function isolateIds(port: number): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(3_000) });
  return ((await res.json()) as Array<{ id: string }>).map((t) => t.id);
}

/** Whether an isolate runs one of the platform's Workers rather than a part of Miniflare. */
export function isPlatformIsolate(id: string): boolean {
  return id.startsWith("core:user:");
}
