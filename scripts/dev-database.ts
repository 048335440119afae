import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { DevProblem } from "./dev-problem";
import {
  connectionString,
  createDatabase,
  databaseExists,
  LocalCluster,
  listening,
  type PostgresTarget,
  postgresBin,
} from "./postgres";

/**
 * Which PostgreSQL the dev command uses, first that applies:
 *   1. `DATABASE_URL`, if set (a Neon database, or any Postgres; its database is created when the
 *      server has none of that name and lets us);
 *   2. a server already listening on 127.0.0.1:5432 (database `equilibrium`, created if missing);
 *   3. a cluster of the project's own under `.dev/postgres` on port 5433, if PostgreSQL is installed;
 *   4. PGlite (Postgres in WebAssembly) under `.dev/pglite` on port 5434: one connection at a time,
 *      enough to develop with, not to measure.
 */
export interface DevDatabase {
  url: string;
  kind: "DATABASE_URL" | "local server" | "project cluster" | "PGlite";
  stop(): Promise<void>;
}

const DATABASE = "equilibrium";

export async function devDatabase(root: string): Promise<DevDatabase> {
  if (process.env.DATABASE_URL) {
    if (ensureDatabase(process.env.DATABASE_URL)) console.log("created the database DATABASE_URL names");
    return { url: process.env.DATABASE_URL, kind: "DATABASE_URL", stop: async () => {} };
  }
  const machine: PostgresTarget = { host: "127.0.0.1", port: 5432, user: "postgres" };
  if (await listening(machine.port)) {
    try {
      if (!databaseExists(machine, DATABASE)) createDatabase(machine, DATABASE);
      return { url: connectionString(machine, DATABASE), kind: "local server", stop: async () => {} };
    } catch (err) {
      console.warn(`the server on 5432 did not let us in (${(err as Error).message}); using our own`);
    }
  }
  if (postgresBin()) {
    const cluster = new LocalCluster(join(root, ".dev/postgres"), 5433);
    await cluster.start();
    if (!databaseExists(cluster, DATABASE)) createDatabase(cluster, DATABASE);
    return { url: connectionString(cluster, DATABASE), kind: "project cluster", stop: async () => cluster.stop() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create(join(root, ".dev/pglite"));
  const server = new PGLiteSocketServer({ db, port: 5434, host: "127.0.0.1", maxConnections: 1 });
  await server.start();
  return {
    url: "postgres://postgres@127.0.0.1:5434/postgres",
    kind: "PGlite",
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Makes sure the database a connection string names exists, creating it through psql on the same
 * server's `postgres` database with the same credentials. True when it made it. Without psql on
 * this machine it leaves the question to the first connection.
 */
export function ensureDatabase(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DevProblem("DATABASE_URL is not a connection string (postgres://user:password@host:port/database)");
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol))
    throw new DevProblem(`DATABASE_URL must start with postgres://, not ${parsed.protocol}//`);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  if (!name) throw new DevProblem("DATABASE_URL names no database (…/<database> at its end)");
  const where = `${parsed.hostname}:${parsed.port || 5432}`;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const run = (sql: string) => spawnSync("psql", [admin.toString(), "-v", "ON_ERROR_STOP=1", "-qAtc", sql], { encoding: "utf8" });
  const found = run(`SELECT 1 FROM pg_database WHERE datname = '${name.replaceAll("'", "''")}'`);
  if (found.error) return false; // no psql here
  if (found.status !== 0)
    throw new DevProblem(`cannot reach the PostgreSQL of DATABASE_URL (${where}): ${firstLine(found.stderr)}`);
  if (found.stdout.trim() === "1") return false;
  const made = run(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  if (made.status !== 0 && made.stderr.includes("already exists")) return false; // another copy made it meanwhile
  if (made.status !== 0)
    throw new DevProblem(`the database "${name}" does not exist on ${where} and could not be created: ${firstLine(made.stderr)}`);
  return true;
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")[0]
      ?.replace(/^psql: (error: )?/, "")
      .trim() || "no answer"
  );
}
