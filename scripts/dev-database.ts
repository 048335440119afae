import { join } from "node:path";
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
 *   1. `DATABASE_URL`, if set (a Neon database, or any Postgres);
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
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, kind: "DATABASE_URL", stop: async () => {} };
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
