import { resolve } from "node:path";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { type DatabaseEnv, openPool } from "../db/client";

export const MIGRATIONS = resolve(import.meta.dir, "../db/migrations");

/**
 * Applies db/migrations through the same driver the Workers use (so locally through the WebSocket
 * bridge). drizzle records what it applied; running it again does nothing.
 */
export async function migrateDatabase(env: DatabaseEnv): Promise<void> {
  const { pool, db } = openPool(env);
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS });
  } finally {
    await pool.end();
  }
}
