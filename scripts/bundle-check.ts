import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { bundleWorker, WORKERS } from "../harness/workers";

/**
 * `npm run bundle:check` (CI runs it too): bundles every Worker as `wrangler deploy` would (a dry
 * run, offline) into a temporary folder, prints each script's size raw and gzipped, and fails
 * when one is over its budget.
 *
 * Why a budget: Cloudflare refuses a Worker script over 3 MB gzipped on the Free plan (10 MB on
 * Paid), and every new isolate parses the whole script before its first request. The budgets sit
 * about twice above today's sizes, so a dependency that balloons fails CI long before a deploy
 * would. The console's static files are served by the assets binding, not the script, and count
 * in neither figure.
 */
const KIB = 1024;
const BUDGETS: Record<keyof typeof WORKERS, { gzipBytes: number }> = {
  // 447 KiB gzip (2.4 MiB raw) when this was set, 2026-12; minified since: 507 KiB gzip (1.8 MiB raw).
  api: { gzipBytes: 1024 * KIB },
  // 99 KiB gzip (442 KiB raw) when this was set; minified since: 79 KiB gzip (265 KiB raw).
  history: { gzipBytes: 256 * KIB },
  // 364 KiB gzip (2.0 MiB raw: h3-js, the catalogues, the Neon driver) when this was set; minified
  // since: 309 KiB gzip (1.2 MiB raw).
  notifications: { gzipBytes: 768 * KIB },
};

interface ScriptSize {
  worker: string;
  files: number;
  rawBytes: number;
  gzipBytes: number;
  budgetBytes: number;
}

/** Every module wrangler would upload: all files of the bundle but its README and source maps. */
function measure(outdir: string): { files: number; rawBytes: number; gzipBytes: number } {
  const files = readdirSync(outdir, { recursive: true, withFileTypes: true }).filter(
    (f) => f.isFile() && f.name !== "README.md" && !f.name.endsWith(".map"),
  );
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const bytes = readFileSync(join(f.parentPath, f.name));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes).length;
  }
  return { files: files.length, rawBytes, gzipBytes };
}

const kib = (bytes: number) => `${(bytes / KIB).toFixed(1)} KiB`;

const out = mkdtempSync(join(tmpdir(), "equilibrium-bundles-"));
const sizes: ScriptSize[] = [];
try {
  for (const [key, worker] of Object.entries(WORKERS) as Array<[keyof typeof WORKERS, (typeof WORKERS)[keyof typeof WORKERS]]>) {
    const outdir = join(out, key);
    bundleWorker(worker.config, outdir);
    sizes.push({ worker: worker.name, ...measure(outdir), budgetBytes: BUDGETS[key].gzipBytes });
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

let over = 0;
console.log("Worker scripts (wrangler deploy --dry-run):");
for (const s of sizes) {
  const ok = s.gzipBytes <= s.budgetBytes;
  if (!ok) over++;
  console.log(
    `  ${s.worker.padEnd(22)} ${kib(s.rawBytes).padStart(12)} raw  ${kib(s.gzipBytes).padStart(11)} gzip` +
      `  budget ${kib(s.budgetBytes)} gzip  ${ok ? "PASS" : "FAIL: over budget"}`,
  );
}
if (over > 0) {
  console.error(
    `${over} Worker script(s) over budget. To see what grew: wrangler deploy --dry-run -c <config> --outdir <dir>, then read <dir>/index.js.map.`,
  );
  process.exit(1);
}
