import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ensureDevKeys } from "./dev-keys";

/**
 * `bun run dev`: the whole platform on this machine. It generates a local signing key if there
 * is none, starts `wrangler dev` (workerd, state kept in .wrangler/state across restarts), and
 * loads the demo markets the first time.
 */
const root = resolve(import.meta.dir, "..");
const port = Number(process.env.PORT ?? 8787);
const base = `http://127.0.0.1:${port}`;

await ensureDevKeys(resolve(root, ".dev.vars"));

const wrangler = spawn(
  resolve(root, "node_modules/.bin/node"),
  [
    resolve(root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    ".wrangler/state",
  ],
  {
    cwd: root,
    stdio: ["inherit", "inherit", "inherit"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => wrangler.kill(signal));
wrangler.on("exit", (code) => process.exit(code ?? 0));

await waitFor(`${base}/health/live`, 60_000);
for (const file of readdirSync(resolve(root, "db/seed/markets")).filter((f) => f.endsWith(".json"))) {
  const id = file.replace(/\.json$/, "");
  if ((await fetch(`${base}/v1/markets/${id}`)).status !== 404) continue;
  const res = await fetch(`${base}/v1/markets/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: readFileSync(resolve(root, "db/seed/markets", file)),
  });
  console.log(`demo market ${id}: ${res.status === 201 ? "loaded" : `failed (${res.status}) ${await res.text()}`}`);
}
console.log(`
Equilibrium is running at ${base}
  API docs      ${base}/docs   (OpenAPI: ${base}/openapi.json)
  markets       curl ${base}/v1/markets
  surge         curl '${base}/v1/surge?lat=40.758&lng=-73.9855'
  live          websocket ${base.replace("http", "ws")}/v1/live?market=nyc-manhattan
`);

async function waitFor(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}
