#!/usr/bin/env node
// What `npm test` needs from the machine beyond node_modules (scripts/install.mjs does those):
// Debian's Chromium for the console's browser tests. Playwright's own browser downloads cannot
// reach this network, so the browser comes from apt, which needs root (or password-less sudo).
// When it cannot be installed this says so loudly and carries on: the browser tests then fail
// with the fix (tests/support/browser.ts); they never skip. Plain Node, like install.mjs.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) installChromium();

function installChromium() {
  if (process.env.CHROMIUM_PATH) return cannot(`CHROMIUM_PATH=${chromium} does not exist`);
  if (!onPath("apt-get")) return cannot("this machine has no apt-get");
  const root = process.getuid?.() === 0;
  const sudo = !root && onPath("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
  if (!root && !sudo) return cannot("installing it needs root (or password-less sudo)");
  console.error("Chromium is missing: installing Debian's chromium for the console's browser tests (about a minute, once)…");
  const apt = (...args) => {
    const command = sudo ? ["sudo", "-n", "apt-get", ...args] : ["apt-get", ...args];
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    return spawnSync(command[0], command.slice(1), { stdio: ["ignore", "inherit", "inherit"], env }).status === 0;
  };
  // The package lists of a fresh machine are empty: update first.
  if (!apt("update", "-qq") || !apt("install", "-y", "-qq", "chromium")) return cannot("apt-get failed (see above)");
  if (!existsSync(chromium)) return cannot(`apt-get installed chromium, but there is nothing at ${chromium}`);
  console.error(`Chromium installed at ${chromium}.`);
}

function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function cannot(why) {
  console.error(`
!! Chromium is missing and could not be installed: ${why}.
!! The console's browser tests (tests/console.test.ts) will FAIL until it is there:
!!   sudo apt-get update && sudo apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium binary)
`);
}
