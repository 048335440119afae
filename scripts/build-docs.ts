import { copyFileSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The API reference's browser half: Swagger UI's standalone bundle and stylesheet, copied from
 * the swagger-ui-dist package into `public/docs-ui/` (the Worker's assets, served before the
 * Worker runs), so `/docs` works offline and costs the Worker's script nothing. `/docs` itself
 * (workers/api/routes/docs.ts) is a small page that loads them and points them at /openapi.json.
 */
const ROOT = resolve(import.meta.dir, "..");
const OUT = resolve(ROOT, "public/docs-ui");
const FILES = ["swagger-ui-bundle.js", "swagger-ui.css"];

export function buildDocsUi(): { bytes: number } {
  const source = dirname(Bun.resolveSync("swagger-ui-dist/package.json", ROOT));
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  let bytes = 0;
  for (const file of FILES) {
    copyFileSync(join(source, file), join(OUT, file));
    bytes += statSync(join(OUT, file)).size;
  }
  return { bytes };
}

if (import.meta.main) console.log(`public/docs-ui: ${(buildDocsUi().bytes / 1024).toFixed(0)} KB (Swagger UI)`);
