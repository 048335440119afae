import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Builds the operator console (`console/`) into `public/console/`, which the edge worker serves
 * as static assets at `/console/`. One minified ES module for the page, a chunk loaded on
 * demand (the history chart), one stylesheet and the HTML. Prints each file's size and the
 * page's transfer size (gzip), which must stay small: it is an operator's tool, often on a phone.
 *
 * @example bun scripts/build-console.ts
 */

const ROOT = resolve(import.meta.dir, "..");
const SOURCE = resolve(ROOT, "console");
const OUT = resolve(ROOT, "public/console");

export interface ConsoleBuild {
  /** Every file written, uncompressed. */
  bytes: number;
  /** Every file written, each gzipped as a server would send it. */
  gzipBytes: number;
}

/** Builds the console into public/console; `quiet` leaves out the table of files (the dev command's start). */
export async function buildConsole(options: { quiet?: boolean } = {}): Promise<ConsoleBuild> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  const script = await Bun.build({
    entrypoints: [join(SOURCE, "main.tsx")],
    outdir: OUT,
    target: "browser",
    format: "esm",
    minify: true,
    splitting: true,
    naming: { entry: "console.[ext]", chunk: "[name]-[hash].[ext]" },
    define: { "process.env.NODE_ENV": '"production"' },
    throw: false,
  });
  const style = await Bun.build({
    entrypoints: [join(SOURCE, "console.css")],
    outdir: OUT,
    target: "browser",
    minify: true,
    naming: "[name].[ext]",
    throw: false,
  });
  for (const result of [script, style]) {
    if (!result.success) throw new AggregateError(result.logs, `console build failed:\n${result.logs.join("\n")}`);
  }
  copyFileSync(join(SOURCE, "index.html"), join(OUT, "index.html"));

  const files = readdirSync(OUT).map((name) => {
    const body = readFileSync(join(OUT, name));
    return { name, bytes: statSync(join(OUT, name)).size, gzipBytes: Bun.gzipSync(body).byteLength };
  });
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const total = (list: typeof files) =>
    list.reduce((sum, f) => ({ bytes: sum.bytes + f.bytes, gzipBytes: sum.gzipBytes + f.gzipBytes }), { bytes: 0, gzipBytes: 0 });
  // The first paint needs the HTML, the stylesheet and the entry module; chunks load on demand.
  const firstPaint = total(files.filter((f) => ["index.html", "console.css", "console.js"].includes(f.name)));
  const all = total(files);
  if (options.quiet) return all;
  for (const f of files)
    console.log(`  public/console/${f.name.padEnd(24)} ${kb(f.bytes).padStart(9)}  ${kb(f.gzipBytes).padStart(9)} gzip`);
  console.log(
    `console: ${kb(all.gzipBytes)} gzip in all (${kb(all.bytes)} raw); first paint ${kb(firstPaint.gzipBytes)} gzip, the rest on demand`,
  );
  return all;
}

if (import.meta.main) await buildConsole();
