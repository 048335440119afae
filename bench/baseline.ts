import { resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { quietWrangler, ROOT } from "../harness/workers";
import type { LoadGenerator, LoadResult } from "./load";
import { type CpuShares, newWorkerdPid, withCpu, workerdPids } from "./proc";
import { log } from "./report";

/**
 * Baseline: a trivial Worker in workerd, started through Miniflare as the platform is (same
 * runtime, same entry path), loaded with the same generator and request stream. The "assets"
 * variant puts the platform's own static-assets configuration (wrangler.toml `[assets]`) in
 * front of it, so the cost of Miniflare's asset router, which every API request also passes
 * through, can be told apart from the API's own.
 */

const SCRIPT = resolve(import.meta.dir, "trivial-worker.js");

export interface ThroughputResult {
  load: LoadResult;
  /** CPU used during the measured run. */
  cpu: CpuShares;
}

/** How long and how wide the throughput runs are. */
export interface HttpOptions {
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

/** Throughput with `generator` (closed loop: as fast as it answers), after a warm-up, on one target. */
export async function measureHttp(
  pid: number,
  generator: LoadGenerator,
  spec: { url: string; headers: Record<string, string>; bodies: readonly string[] },
  options: HttpOptions,
): Promise<ThroughputResult> {
  const load = { ...spec, connections: options.connections };
  await generator.run({ ...load, seconds: options.warmupSeconds });
  const { result, cpu } = await withCpu(pid, () => generator.run({ ...load, seconds: options.seconds }));
  return { load: result, cpu };
}

export type BaselineVariant = "plain" | "assets";

/** The platform's assets options, if it has any. */
export function platformAssets(): unknown {
  Object.assign(process.env, quietWrangler);
  const { workerOptions } = unstable_getMiniflareWorkerOptions(resolve(ROOT, "wrangler.toml"));
  return (workerOptions as { assets?: unknown }).assets;
}

/** A trivial Worker running in its own workerd: where to send requests, its process, and how to stop it. */
export interface Trivial {
  variant: BaselineVariant;
  url: string;
  pid: number;
  dispose(): Promise<void>;
}

/** Starts the trivial Worker, plain or behind the platform's [assets] router. */
export async function startTrivial(variant: BaselineVariant): Promise<Trivial> {
  Object.assign(process.env, quietWrangler);
  const assets = variant === "assets" ? platformAssets() : undefined;
  if (variant === "assets" && assets === undefined) throw new Error("the platform has no [assets] configuration");
  const before = workerdPids();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      scriptPath: SCRIPT,
      compatibilityDate: "2026-11-01",
      port: 0,
      ...(assets === undefined ? {} : { assets }),
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  try {
    const url = `${(await mf.ready).href.replace(/\/$/, "")}/v1/quotes`;
    return { variant, url, pid: newWorkerdPid(before), dispose: () => mf.dispose() };
  } catch (error) {
    await mf.dispose();
    throw error;
  }
}

/** `headers`: those the quotes were sent with (the access token), so that both see the same request stream. */
export async function measureBaseline(
  generator: LoadGenerator,
  request: { bodies: readonly string[]; headers: Record<string, string> },
  options: HttpOptions,
  variant: BaselineVariant = "plain",
): Promise<ThroughputResult> {
  const trivial = await startTrivial(variant);
  try {
    log(
      `baseline (${variant}): trivial worker at ${trivial.url} (workerd pid ${trivial.pid}), warm-up ${options.warmupSeconds}s`,
    );
    const result = await measureHttp(trivial.pid, generator, { url: trivial.url, ...request }, options);
    log(`baseline (${variant}): ${Math.round(result.load.rps)} req/s`);
    return result;
  } finally {
    await trivial.dispose();
  }
}
