import { createRequire } from "node:module";
import { resolve } from "node:path";
import { plugin } from "bun";

/**
 * `npm run client:generate`: writes `client/schema.d.ts`, the typed client's `paths`, from the
 * OpenAPI document the edge app builds out of its routes' zod schemas. Offline and deterministic:
 * the app is imported in this process (no server, no bindings) and its own `/openapi.json`
 * handler is asked for the document.
 *
 * @example bun scripts/openapi.ts            # writes client/schema.d.ts
 * @example bun scripts/openapi.ts --check    # exits 1 when the committed file is stale (or a file named after it)
 * @example bun scripts/openapi.ts --document # prints the OpenAPI document
 */

const ROOT = resolve(import.meta.dir, "..");
export const SCHEMA_FILE = resolve(ROOT, "client/schema.d.ts");

const HEADER = `/**
 * The Equilibrium API's paths, generated from its OpenAPI document by \`npm run client:generate\`
 * (scripts/openapi.ts). Do not edit: change the routes' schemas and generate again.
 */
`;

const require = createRequire(import.meta.url);

let stubbed = false;
/** Module stand-ins for this process only, registered on first use (never merely by importing this file). */
function stubModules(): void {
  if (stubbed) return;
  stubbed = true;
  plugin({
    name: "offline OpenAPI generation",
    setup(build) {
      // The app exports the Durable Object classes, which extend workerd's; only their names are needed here.
      build.module("cloudflare:workers", () => ({
        loader: "object",
        exports: { DurableObject: class {}, WorkerEntrypoint: class {} },
      }));
      // openapi-typescript prints its output with TypeScript's compiler API, which TypeScript 7 (the
      // native compiler this repo checks with) no longer ships: it gets 5.9, installed as typescript-5.
      build.module("typescript", () => {
        const ts = require("typescript-5");
        return { loader: "object", exports: { ...ts, default: ts } };
      });
    },
  });
}

/** The document `GET /openapi.json` serves, built by the app's own handler. */
export async function openApiDocument(): Promise<unknown> {
  stubModules();
  const { default: app } = await import("../workers/api/index");
  const { docs } = await import("../workers/api/routes/docs");
  const res = await docs(app).request("/openapi.json");
  if (!res.ok) throw new Error(`the app's /openapi.json answered ${res.status}`);
  return res.json();
}

/** `client/schema.d.ts` as it should read now: openapi-typescript's output, formatted as the repo formats. */
export async function clientSchema(): Promise<string> {
  stubModules();
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  const document = (await openApiDocument()) as Parameters<typeof openapiTS>[0];
  const source = HEADER + astToString(await openapiTS(document));
  const biome = Bun.spawn(["biome", "format", `--stdin-file-path=${SCHEMA_FILE}`], {
    cwd: ROOT,
    stdin: new Blob([source]),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, PATH: `${resolve(ROOT, "node_modules/.bin")}:${process.env.PATH}` },
  });
  const [formatted, errors, code] = await Promise.all([
    new Response(biome.stdout).text(),
    new Response(biome.stderr).text(),
    biome.exited,
  ]);
  if (code !== 0) throw new Error(`biome could not format the generated schema:\n${errors}`);
  return formatted;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args.includes("--document")) {
    process.stdout.write(`${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  } else if (args[0] === "--check") {
    const file = Bun.file(args[1] ?? SCHEMA_FILE);
    const committed = (await file.exists()) ? await file.text() : "";
    if (committed !== (await clientSchema())) {
      console.error(`${file.name} is stale: the API changed. Run \`npm run client:generate\` and commit client/schema.d.ts.`);
      process.exit(1);
    }
    console.log(`${file.name} matches the API`);
  } else {
    await Bun.write(SCHEMA_FILE, await clientSchema());
    console.log("wrote client/schema.d.ts");
  }
}
