import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BRIDGE_PORTS, bridgePortsFromEnv, startBridges } from "../bridges";
import { mailboxBindings, startMailbox } from "../bridges/mailbox";
import { buildConsole } from "./build-console";
import { buildDocsUi } from "./build-docs";
import { devDatabase } from "./dev-database";
import { devToken, ensureDevKeys, ensureNotificationKeys, setDevVars } from "./dev-keys";
import { DevProblem, envPort, exitWith, oneLine } from "./dev-problem";
import { drainHistory, EXIT_WITH_PARENT, signalGroup, stopProcessGroup, stopTimeoutMs } from "./dev-stop";
import { recordPlatform, seedOperator } from "./dev-users";
import { migrateDatabase } from "./migrate";
import { listening } from "./postgres";

/**
 * `npm start` / `bun run dev`: the whole platform on this machine.
 *  1. a local quote signing key (generated once into .dev.vars);
 *  2. a PostgreSQL (see dev-database.ts) with every migration applied;
 *  3. the Neon and Upstash bridges, so the Workers' drivers reach local servers;
 *  4. `wrangler dev` with the edge worker, the history writer and the notifications worker
 *     (workerd; state in .wrangler/state);
 *  5. the demo markets, loaded the first time, and a local operator (made once, sign-in printed);
 *  6. a mailbox that stands in for every notification provider (bridges/mailbox.ts).
 * Ctrl-C (or SIGTERM) drains history into Postgres before stopping (dev-stop.ts); a second one stops at once.
 * Whatever stands in the way is one line (dev-problem.ts), never a stack trace.
 */
const root = resolve(import.meta.dir, "..");
/** What has started so far, stopped again should a later step fail. */
const started: Array<{ stop(): Promise<void> | void }> = [];
const port = await safely(() => envPort("PORT", 8787));
const base = `http://127.0.0.1:${port}`;
const stopTimeout = stopTimeoutMs();
/** How long wrangler may take to exit after SIGTERM before its group is killed. */
const WRANGLER_GRACE_MS = 10_000;

if (await listening(port))
  exitWith(
    new DevProblem(
      `port ${port} is in use (another copy running?): start this one on another, e.g. PORT=${port === 8800 ? 8801 : 8800} npm start`,
    ),
  );
await safely(() => ensureDevKeys(resolve(root, ".dev.vars")));
const database = await safely(() => devDatabase(root));
started.push(database);
const local = /@(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(database.url);
const bridges = await safely(() => startBridges(bridgePortsFromEnv()));
started.push(bridges);
for (const m of bridges.moved)
  console.log(
    `port ${m.wanted} is taken: the ${BRIDGE_PORTS[m.bridge].variable.replace(/_PORT$/, "").toLowerCase()} bridge is on ${m.port}`,
  );
// Every provider's messages go to the dev mailbox instead of anyone (the console's Alert settings tab shows it).
const mailbox = await safely(() => startMailbox());
started.push(mailbox);
const dbVars = {
  DATABASE_URL: database.url,
  NEON_LOCAL_WS_PROXY: local ? bridges.bindings.NEON_LOCAL_WS_PROXY : undefined,
  NEON_LOCAL_HTTP: local ? bridges.bindings.NEON_LOCAL_HTTP : undefined,
};
await safely(
  () => migrateDatabase(dbVars),
  (error) => `the history database did not take its migrations: ${oneLine((error as { cause?: unknown }).cause ?? error)}`,
);
console.log(`history database: ${database.kind} (${database.url.replace(/:[^:@/]*@/, ":***@")}), migrations applied`);
setDevVars(resolve(root, ".dev.vars"), {
  ...dbVars,
  UPSTASH_REDIS_REST_URL: bridges.upstashUrl,
  UPSTASH_REDIS_REST_TOKEN: bridges.upstashToken,
});
setDevVars(resolve(root, "workers/history/.dev.vars"), dbVars);
setDevVars(resolve(root, "workers/notifications/.dev.vars"), dbVars);
await ensureNotificationKeys(resolve(root, ".dev.vars"), resolve(root, "workers/notifications/.dev.vars"));
// Locally, machine drafts of missing messages come from the visible fake (no Workers AI here).
setDevVars(resolve(root, ".dev.vars"), { DEV_MAILBOX_URL: mailbox.url, MACHINE_TRANSLATION_FAKE: "true" });
setDevVars(resolve(root, "workers/notifications/.dev.vars"), await mailboxBindings(mailbox.url));

const console_ = await safely(() => buildConsole({ quiet: true }));
buildDocsUi();
console.log(`operator console built (${(console_.gzipBytes / 1024).toFixed(1)} KB gzip)`);

const wrangler = spawn(
  resolve(root, "node_modules/.bin/node"),
  [
    "--import",
    EXIT_WITH_PARENT,
    resolve(root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "-c",
    "wrangler.toml",
    "-c",
    "workers/history/wrangler.toml",
    "-c",
    "workers/notifications/wrangler.toml",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    ".wrangler/state",
    // Warnings and errors only: no bindings tables (our banner says what matters), no line per request.
    "--log-level",
    process.env.WRANGLER_LOG_LEVEL || "warn",
  ],
  {
    cwd: root,
    // A process group of its own: a terminal's Ctrl-C reaches only this command, which drains
    // history before it stops wrangler. No stdin: a background group that reads the terminal
    // is stopped (SIGTTIN), and wrangler's hotkeys would take Ctrl-C from us.
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  },
);
const shutdown = async (code: number) => {
  await bridges.stop().catch(() => undefined);
  await mailbox.stop().catch(() => undefined);
  await database.stop().catch(() => undefined);
  process.exit(code);
};
const devVars = resolve(root, ".dev.vars");
let up = false;
let stopping = false;
const atOnce = new AbortController();
const drain = async () => {
  if (!up) return "stopped before the platform was up: nothing to drain";
  try {
    return await drainHistory({
      base,
      token: await devToken(devVars, {
        subject: "dev-stop",
        roles: ["admin"],
        seconds: Math.ceil(stopTimeout / 1000) + 120,
      }),
      timeoutMs: stopTimeout,
      signal: atOnce.signal,
      log: (line) => console.log(line),
    });
  } catch (err) {
    return `stopped without draining: ${(err as Error).message}`;
  }
};
const stop = async () => {
  const outcome = await drain();
  await stopProcessGroup(wrangler, WRANGLER_GRACE_MS, atOnce.signal);
  await bridges.stop().catch(() => undefined);
  await mailbox.stop().catch(() => undefined);
  await database.stop().catch(() => undefined);
  console.log(outcome);
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    if (stopping) {
      if (!atOnce.signal.aborted) console.log("stopping at once");
      atOnce.abort();
      return;
    }
    stopping = true;
    console.log(`\nstopping (${signal}); Ctrl-C again to stop at once`);
    void stop();
  });
wrangler.on("exit", (code) => {
  if (!stopping) void shutdown(code ?? 0);
});
// However this command ends, wrangler (in its own group) does not stay behind.
process.on("exit", () => signalGroup(wrangler, "SIGTERM"));

await safely(() => waitFor(`${base}/health/live`, 60_000));
up = true;
recordPlatform(base);
const admin = await devToken(devVars, { subject: "dev-admin", roles: ["admin"], seconds: 600 });
for (const file of readdirSync(resolve(root, "db/seed/markets")).filter((f) => f.endsWith(".json"))) {
  const id = file.replace(/\.json$/, "");
  const authorization = `Bearer ${admin}`;
  if ((await fetch(`${base}/v1/markets/${id}`, { headers: { authorization } })).status !== 404) continue;
  const res = await fetch(`${base}/v1/markets/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization },
    body: readFileSync(resolve(root, "db/seed/markets", file)),
  });
  console.log(`demo market ${id}: ${res.status === 201 ? "loaded" : `failed (${res.status}) ${await res.text()}`}`);
}
if (process.env.SIMULATE === "1") {
  // Traffic for the console's map: the simulator's weekday loop, through the public API.
  const sim = spawn(process.execPath, [resolve(root, "scripts/simulate.ts"), "--background", "--url", base], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => sim.kill(signal));
}
const signIn = await safely(() => seedOperator(base));
const hour = (offset: number) => `${new Date(Date.now() + offset * 3_600_000).toISOString().slice(0, 13)}:00:00Z`;
// Lines starting with "$" are commands that work as printed from this folder with only Node and
// npm (tests/dev-command.test.ts runs each of them).
console.log(`
Equilibrium is running at ${base}
  console   ${base}/console/
${signIn.map((line) => `            ${line}`).join("\n")}
  API docs  ${base}/docs  (OpenAPI: ${base}/openapi.json)
  mailbox   the console's Alert settings tab: every email, SMS, push and webhook sent here, none delivered

  Try the API (tokens for rider, driver, operator, admin or service; a service may send events and ask quotes):
  $ export TOKEN=$(npm run --silent token -- service)
  $ curl -fsS -H "authorization: Bearer $TOKEN" ${base}/v1/markets
  $ curl -fsS -H "authorization: Bearer $TOKEN" '${base}/v1/surge?lat=40.758&lng=-73.9855'
  $ curl -fsS -H "authorization: Bearer $(npm run --silent token -- operator)" '${base}/v1/markets/nyc-manhattan/kpis?from=${hour(-1)}&to=${hour(1)}'
  Add an operator for one market:
  $ npm run user -- --email you@example.com --role operator --markets nyc-manhattan
  Live changes: ws://127.0.0.1:${port}/v1/live?market=nyc-manhattan&access_token=<token>
  SIMULATE=1 npm start also runs the market simulator, so the map moves. Ctrl-C drains history and stops.
`);

/** Runs a step of the start; its failure is one line, and the end of the command. */
async function safely<T>(step: () => T | Promise<T>, describe: (error: unknown) => string = oneLine): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await Promise.all(started.map(async (s) => s.stop())).catch(() => undefined);
    return exitWith(new DevProblem(describe(error)));
  }
}

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
  throw new DevProblem(`the platform did not answer at ${url} within ${ms / 1000} s (wrangler's output above says why)`);
}
