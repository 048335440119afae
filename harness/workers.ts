import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

/**
 * The platform's Workers as `wrangler deploy` builds them, and as Miniflare runs them: each
 * Worker's bundle, and its options (bindings, Durable Objects, queues, assets) read from its
 * `wrangler.toml`, so that tests, benchmarks and the deploy see one configuration.
 */

export const ROOT = resolve(import.meta.dir, "..");
/** Where tests' bundles go: built once per test process. */
export const TEST_BUNDLES = resolve(ROOT, "dist/test");

/** Each Worker of the platform: its script name and its wrangler config. */
export const WORKERS = {
  api: { name: "equilibrium-api", config: resolve(ROOT, "wrangler.toml") },
  history: { name: "equilibrium-history", config: resolve(ROOT, "workers/history/wrangler.toml") },
  notifications: { name: "equilibrium-notifications", config: resolve(ROOT, "workers/notifications/wrangler.toml") },
} as const;
export type WorkerKey = keyof typeof WORKERS;

/** Wrangler without telemetry, update checks or chatter. */
export const quietWrangler = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_LOG: "error",
};

const built = new Set<string>();

/**
 * Bundles every Worker into `dir/<worker>` (once per process and folder). A process that runs
 * beside tests (the benchmarks) builds into a folder of its own, so neither reads the other's
 * half-written bundle.
 */
export function buildWorkers(dir = TEST_BUNDLES): void {
  if (built.has(dir)) return;
  for (const key of Object.keys(WORKERS) as WorkerKey[]) bundleWorker(WORKERS[key].config, join(dir, key));
  built.add(dir);
}

/**
 * Bundles one Worker as `wrangler deploy` would (`--dry-run`: offline, nothing uploaded) into
 * `outdir`; wrangler runs on the Node 22 that `node_modules/.bin` holds.
 *
 * @example bundleWorker(WORKERS.api.config, "/tmp/api") // → /tmp/api/index.js
 */
export function bundleWorker(config: string, outdir: string): void {
  // The console's static files must exist for the assets binding, even before the console is built.
  mkdirSync(resolve(ROOT, "public"), { recursive: true });
  const node = resolve(ROOT, "node_modules/.bin/node");
  const wrangler = resolve(ROOT, "node_modules/wrangler/bin/wrangler.js");
  const result = spawnSync(
    existsSync(node) ? node : "node",
    [wrangler, "deploy", "--dry-run", "-c", config, "--outdir", outdir],
    { cwd: ROOT, env: { ...process.env, ...quietWrangler }, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`wrangler build of ${config} failed:\n${result.stdout}\n${result.stderr}`);
}

/**
 * One Worker's Miniflare options (v4 shape): what its wrangler config declares, running the
 * bundle `buildWorkers(dir)` made, with `bindings` added over the config's vars.
 */
export function miniflareWorker(key: WorkerKey, dir: string, bindings: Record<string, unknown>) {
  Object.assign(process.env, quietWrangler);
  const { name, config } = WORKERS[key];
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  const bundle = join(dir, key);
  return {
    ...workerOptions,
    name,
    modulesRules: undefined,
    modules: true,
    scriptPath: join(bundle, "index.js"),
    modulesRoot: bundle,
    bindings: { ...(workerOptions.bindings as Record<string, unknown>), ...bindings },
  };
}
