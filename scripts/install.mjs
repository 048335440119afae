#!/usr/bin/env node
// Makes a fresh clone runnable with nothing but Node and npm: installs Bun from the npm
// registry (through npx) and the project's dependencies from bun.lock, once. Plain Node on
// purpose: it runs before anything else is installed.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const BUN = "1.4.4";
const marker = "node_modules/.bin/bun";
const fresh =
  existsSync(marker) &&
  existsSync("node_modules/.bin/wrangler") &&
  statSync("node_modules").mtimeMs >= statSync("bun.lock").mtimeMs;
if (!fresh || process.argv.includes("--force")) {
  console.error(`installing Bun ${BUN} and dependencies…`);
  execFileSync("npx", ["--yes", `bun@${BUN}`, "install", "--frozen-lockfile"], { stdio: "inherit" });
}
