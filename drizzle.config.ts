import { defineConfig } from "drizzle-kit";

/** `bunx drizzle-kit generate` writes a migration for each schema change into db/migrations. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/equilibrium" },
});
