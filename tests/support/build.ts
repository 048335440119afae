import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Bundles the Workers exactly as `wrangler deploy` would, once per test run, into
 * `dist/test/<worker>`. Tests and benchmarks run those bundles in workerd.
 */
export const ROOT = resolve(import.meta.dir, "../..");
export const BUNDLE_DIR = resolve(ROOT, "dist/test");

/** Each Worker of the platform: its wrangler config and where its bundle goes. */
export const WORKERS = {
  api: { name: "equilibrium-api", config: resolve(ROOT, "wrangler.toml"), bundle: resolve(BUNDLE_DIR, "api") },
  history: {
    name: "equilibrium-history",
    config: resolve(ROOT, "workers/history/wrangler.toml"),
    bundle: resolve(BUNDLE_DIR, "analytics"),
  },
} as const;

let built = false;

export function buildWorker(): void {
  if (built) return;
  for (const w of Object.values(WORKERS)) bundleWorker(w.config, w.bundle);
  built = true;
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
    {
      cwd: ROOT,
      env: { ...process.env, ...quietWrangler },
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`wrangler build of ${config} failed:\n${result.stdout}\n${result.stderr}`);
}

export const quietWrangler = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_LOG: "error",
};
