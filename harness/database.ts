import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { migrateDatabase } from "../scripts/migrate";
import { connectionString, createDatabase, databaseExists, dropDatabase, type PostgresTarget, psql } from "../scripts/postgres";
import { neonEnv } from "./bridges";
import { ROOT } from "./workers";

/**
 * Databases for tests and benchmarks: each platform gets a fresh one, copied from a template
 * that has every migration applied (a copy takes a fraction of a second; migrating takes
 * seconds). Names carry the process id, so databases of runs that died are dropped later.
 */

/** The machine's PostgreSQL, as `.ci/run` starts it. */
export const MACHINE_POSTGRES: PostgresTarget = { host: "127.0.0.1", port: 5432, user: "postgres" };

export interface TestDatabase {
  target: PostgresTarget;
  name: string;
  url: string;
}

const templates = new Map<string, Promise<string>>();
const swept = new Set<string>();
const serverOf = (target: PostgresTarget) => `${target.host}:${target.port}`;

/** A fresh, migrated database; the caller drops it (`dropDatabase`) when done. */
export async function freshDatabase(target: PostgresTarget = MACHINE_POSTGRES): Promise<TestDatabase> {
  if (!swept.has(serverOf(target))) {
    swept.add(serverOf(target));
    sweepStale(target);
  }
  const name = testDatabaseName();
  createDatabase(target, name, await template(target));
  return { target, name, url: connectionString(target, name) };
}

/** A name for a database of this process's: the sweep of a later run drops it if this one leaves it behind. */
export function testDatabaseName(): string {
  return `equilibrium_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A database with every migration applied, named after the migrations so a schema change makes a new one. */
function template(target: PostgresTarget): Promise<string> {
  let made = templates.get(serverOf(target));
  if (!made) {
    made = makeTemplate(target);
    templates.set(serverOf(target), made);
  }
  return made;
}

async function makeTemplate(target: PostgresTarget): Promise<string> {
  const dir = resolve(ROOT, "db/migrations");
  const hash = createHash("sha256");
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith(".sql"))
    .sort())
    hash.update(readFileSync(join(dir, f)));
  const name = `equilibrium_template_${hash.digest("hex").slice(0, 10)}`;
  if (databaseExists(target, name)) return name;
  const building = `${name}_${process.pid}`;
  createDatabase(target, building);
  await migrateDatabase(await neonEnv(connectionString(target, building)));
  try {
    createDatabase(target, name, building);
  } catch (err) {
    if (!databaseExists(target, name)) throw err; // another run made it meanwhile
  }
  dropDatabase(target, building);
  return name;
}

/** Drops test databases left by runs that no longer exist (their pid is in the name). */
function sweepStale(target: PostgresTarget): void {
  const names = psql(target, "postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'equilibrium_test_%'")
    .split("\n")
    .filter(Boolean);
  for (const name of names) {
    const pid = Number(name.split("_")[2]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      dropDatabase(target, name);
    }
  }
}
