import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { MACHINE_POSTGRES } from "../harness/database";
import { databaseExists } from "../scripts/postgres";
import { type DevCommand, type DevRun, devCommand, freePort } from "./support/dev-command";

/**
 * As a developer met `npm start`: a copy already runs on this machine and a second one
 * is started beside it with only PORT changed (the bridges' default ports are taken, the
 * database is shared); the first names a database that does not exist yet. Both come up, their
 * banners are short, and every command a banner prints works as printed in a shell with only
 * Node and npm (no Bun on the PATH). What stands in the way is one line, never a stack trace.
 */

const commands: DevCommand[] = [];
afterAll(async () => {
  for (const command of commands.reverse()) await command.dispose();
});

async function started(command: DevCommand): Promise<DevRun> {
  commands.push(command);
  return command.start();
}

/** This shell's PATH without any folder holding a `bun`: what a machine with only Node and npm has. */
const PATH_WITHOUT_BUN = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((dir) => dir && !existsSync(join(dir, "bun")))
  .join(delimiter);

/** A plain shell's environment with that PATH. */
const SHELL_ENV = { HOME: process.env.HOME, PATH: PATH_WITHOUT_BUN, LANG: "C.UTF-8" } as unknown as NodeJS.ProcessEnv;

/** The banner's commands: its lines that start with "$". */
function bannerCommands(output: string): string[] {
  const banner = output.slice(output.lastIndexOf("Equilibrium is running at"));
  return banner
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("$ "))
    .map((line) => line.slice(2));
}

/** Runs banner commands one after another as a user would in bash, in the copy's folder; `export`s carry over. */
function runAsPrinted(command: DevCommand, lines: string[]): Array<{ line: string; status: number | null; out: string }> {
  const exports: string[] = [];
  return lines.map((line) => {
    const ran = spawnSync("bash", ["-o", "pipefail", "-ec", [...exports, line].join("\n")], {
      cwd: command.dir,
      env: SHELL_ENV,
      encoding: "utf8",
      timeout: 60_000,
    });
    if (line.startsWith("export ")) exports.push(line);
    return { line, status: ran.status, out: `${ran.stdout}${ran.stderr}`.trim() };
  });
}

describe("npm start beside a running copy", () => {
  let first: DevCommand;
  let second: DevCommand;
  let firstRun: DevRun;
  let secondRun: DevRun;

  test("the first copy makes the database DATABASE_URL names and comes up on the default ports", async () => {
    first = await devCommand({ defaultBridgePorts: true, database: "missing" });
    expect(databaseExists(MACHINE_POSTGRES, first.database.name)).toBe(false);
    firstRun = await started(first);
    expect(firstRun.output()).toContain("created the database DATABASE_URL names");
    expect(databaseExists(MACHINE_POSTGRES, first.database.name)).toBe(true);
    expect((await fetch(`${first.url}/health/live`)).status).toBe(200);
  }, 180_000);

  test("a second copy with only PORT changed takes free ports for its bridges and comes up too", async () => {
    second = await devCommand({ defaultBridgePorts: true, database: first.database });
    const differing = Object.keys({ ...first.env, ...second.env }).filter((k) => first.env[k] !== second.env[k]);
    expect(differing).toEqual(["PORT"]);
    secondRun = await started(second);
    // The defaults are the first copy's now (or another program's, in which case the first moved too).
    for (const port of [5488, 5489, 8079]) expect(secondRun.output()).toContain(`port ${port} is taken`);
    expect((await fetch(`${second.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${first.url}/health/live`)).status).toBe(200);
  }, 180_000);

  test("the start output is short: no bindings tables, no request lines, no `bun run`, no stack", () => {
    for (const run of [firstRun, secondRun]) {
      const output = run.output();
      expect(output.split("has access to the following bindings").length - 1).toBeLessThanOrEqual(1);
      expect(output).not.toContain("bun run");
      expect(output).not.toMatch(/^\s+at /m);
      expect(output).not.toContain("[wrangler:info]");
    }
  });

  test("every command either banner prints works as printed, with only Node and npm on the PATH", async () => {
    expect(PATH_WITHOUT_BUN.length).toBeGreaterThan(0);
    expect(spawnSync("bash", ["-c", "command -v bun"], { env: SHELL_ENV }).status).not.toBe(0);
    for (const [command, run] of [
      [first, firstRun],
      [second, secondRun],
    ] as const) {
      // Both copies share one database: each adds its own person where the banner's placeholder email stands.
      const lines = bannerCommands(run.output()).map((l) =>
        l.replace("you@example.com", `you+${command.url.split(":").pop()}@example.com`),
      );
      expect(lines.some((l) => l.includes("token -- service"))).toBe(true);
      expect(lines.some((l) => l.startsWith("npm run user -- --email"))).toBe(true);
      for (const result of runAsPrinted(command, lines)) {
        expect({ line: result.line, status: result.status, out: result.out.slice(-400) }).toEqual({
          line: result.line,
          status: 0,
          out: expect.any(String),
        });
        if (!result.line.startsWith("export ")) expect(result.out.length).toBeGreaterThan(0);
      }
    }
  }, 240_000);

  test("the seeded operator signs in with the printed password and the code of the printed command", async () => {
    const banner = firstRun.output();
    const [, email, password] = banner.match(/sign in as (\S+), password (\S+), and the code of/) ?? [];
    expect(email).toBe("operator@equilibrium.local");
    const [code] = runAsPrinted(first, [`npm run --silent user -- --code ${email}`]).map((r) => r.out);
    expect(code).toMatch(/^\d{6}$/);
    const res = await fetch(`${first.url}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "password", email, password, totp: code }),
    });
    expect(res.status).toBe(200);
    // The other copy shares the database: it says so rather than printing a sign-in that is not its own.
    expect(secondRun.output()).toContain("was made by another checkout on this database");
  }, 60_000);

  test("the operator `npm run user` adds watches only their market", async () => {
    const made = runAsPrinted(second, [
      "npm run user -- --email one-market@example.com --role operator --markets nyc-manhattan",
    ])[0];
    expect(made?.status).toBe(0);
    const password = made?.out.match(/password\s+(\S+)/)?.[1];
    const code = runAsPrinted(second, ["npm run --silent user -- --code one-market@example.com"])[0]?.out;
    const signIn = await fetch(`${second.url}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "password", email: "one-market@example.com", password, totp: code }),
    });
    const { access_token } = (await signIn.json()) as { access_token: string };
    const markets = await fetch(`${second.url}/v1/markets`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(((await markets.json()) as { markets: Array<{ id: string }> }).markets.map((m) => m.id)).toEqual(["nyc-manhattan"]);
    // Asked twice, one line saying so.
    const again = runAsPrinted(second, [
      "npm run --silent user -- --email one-market@example.com --role operator --markets nyc-manhattan",
    ])[0];
    expect(again?.status).toBe(1);
    expect(again?.out).toBe("npm run user: one-market@example.com exists already");
  }, 60_000);
});

describe("what stands in the way is one line", () => {
  /** Starts a copy expected to give up; its output. */
  async function refused(options: Parameters<typeof devCommand>[0]): Promise<string> {
    const command = await devCommand(options);
    commands.push(command);
    const error = await command.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain("the dev command exited (1)");
    return (error?.message ?? "").split("its output ended:\n")[1]?.trim() ?? "";
  }

  test("a PORT in use", async () => {
    const taken = Bun.serve({ hostname: "127.0.0.1", port: await freePort(), fetch: () => new Response("someone else") });
    try {
      const output = await refused({ port: taken.port as number });
      expect(output).toBe(
        `npm start: port ${taken.port} is in use (another copy running?): start this one on another, e.g. PORT=8800 npm start`,
      );
    } finally {
      await taken.stop(true);
    }
  }, 60_000);

  test("a PostgreSQL that does not answer", async () => {
    const output = await refused({
      database: { name: "nowhere", url: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere` },
    });
    const lines = output.split("\n").filter((l) => !l.startsWith("generated "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm start: cannot reach the PostgreSQL of DATABASE_URL \(127\.0\.0\.1:\d+\): .*refused/);
  }, 60_000);

  test("a bridge port set and taken", async () => {
    const taken = Bun.serve({ hostname: "127.0.0.1", port: await freePort(), fetch: () => new Response("someone else") });
    const command = await devCommand();
    commands.push(command);
    (command.env as NodeJS.ProcessEnv).NEON_WS_PORT = String(taken.port);
    try {
      const error = await command.start().then(
        () => undefined,
        (e: Error) => e,
      );
      const lines = (error?.message.split("its output ended:\n")[1] ?? "")
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("generated "));
      expect(lines).toEqual([
        `npm start: port ${taken.port} (NEON_WS_PORT) is in use: choose another, or leave it unset for a free one`,
      ]);
    } finally {
      await taken.stop(true);
    }
  }, 60_000);
});
