import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Bundles the edge worker exactly as `wrangler deploy` would, once per test run, into
 * `dist/test`. Tests and benchmarks run that bundle in workerd.
 */
export const ROOT = resolve(import.meta.dir, "../..");
export const BUNDLE_DIR = resolve(ROOT, "dist/test");

let built = false;

export function buildWorker(): void {
  if (built) return;
  const node = resolve(ROOT, "node_modules/.bin/node");
  const wrangler = resolve(ROOT, "node_modules/wrangler/bin/wrangler.js");
  const result = spawnSync(existsSync(node) ? node : "node", [wrangler, "deploy", "--dry-run", "--outdir", BUNDLE_DIR], {
    cwd: ROOT,
    env: { ...process.env, ...quietWrangler },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`wrangler build failed:\n${result.stdout}\n${result.stderr}`);
  built = true;
}

export const quietWrangler = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_LOG: "error",
};
