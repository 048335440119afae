import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";

/**
 * Real PostgreSQL for development and tests, without Docker: the machine's server if one
 * listens, or a cluster of our own under an ignored folder. Administration goes through the
 * `psql` / `pg_ctl` tools; the application itself only ever uses the Neon driver.
 */

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
}

/** The PostgreSQL binaries' folder, newest version first, if any is installed. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

export function listening(port: number, host = "127.0.0.1", timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Runs SQL as the superuser through psql; throws with psql's message on failure. */
export function psql(target: PostgresTarget, database: string, sql: string): string {
  const result = spawnSync(
    "psql",
    ["-h", target.host, "-p", String(target.port), "-U", target.user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`psql: ${result.stderr.trim() || result.error}`);
  return result.stdout.trim();
}

export function databaseExists(target: PostgresTarget, name: string): boolean {
  return psql(target, "postgres", `SELECT 1 FROM pg_database WHERE datname = '${name.replaceAll("'", "''")}'`) === "1";
}

export function createDatabase(target: PostgresTarget, name: string, template?: string): void {
  // A template still in use (its last client just closing) cannot be copied yet: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      psql(target, "postgres", `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
      return;
    } catch (err) {
      if (attempt >= 50 || !template || !String(err).includes("is being accessed by other users")) throw err;
      psql(
        target,
        "postgres",
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${template.replaceAll("'", "''")}'`,
      );
      Bun.sleepSync(100);
    }
  }
}

export function dropDatabase(target: PostgresTarget, name: string): void {
  psql(target, "postgres", `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

export function connectionString(target: PostgresTarget, database: string): string {
  return `postgres://${target.user}@${target.host}:${target.port}/${database}`;
}

/**
 * A PostgreSQL cluster of our own in `dir` on `port`, run as the `postgres` system user when we
 * are root (initdb refuses root). Start and stop are the real server process, so tests can
 * take the database away and bring it back.
 */
export class LocalCluster implements PostgresTarget {
  readonly host = "127.0.0.1";
  readonly user = "postgres";

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  #run(tool: string, args: string[]): void {
    const bin = postgresBin();
    if (!bin) throw new Error("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)");
    const asRoot = process.getuid?.() === 0;
    const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]] : [join(bin, tool), args];
    execFileSync(cmd as string, argv as string[], { stdio: ["ignore", "ignore", "pipe"] });
  }

  async start(): Promise<void> {
    const data = join(this.dir, "data");
    if (!existsSync(join(data, "PG_VERSION"))) {
      mkdirSync(data, { recursive: true });
      chmodSync(this.dir, 0o777);
      if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres:postgres", this.dir]);
      this.#run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"]);
    }
    if (await listening(this.port)) return;
    const log = join(this.dir, "postgres.log");
    this.#run("pg_ctl", [
      "-D",
      data,
      "-l",
      log,
      "-w",
      "-o",
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  }

  /** Stops the server immediately (clients see their connections drop). */
  stop(): void {
    this.#run("pg_ctl", ["-D", join(this.dir, "data"), "-m", "immediate", "-w", "stop"]);
  }
}
