import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ROOT } from "../../harness/workers";

/**
 * A real headless Chromium for the console's end-to-end tests: Debian's `chromium` package
 * driven by playwright-core (Playwright's own browser downloads cannot reach this network).
 * A missing browser fails the tests with the fix; it never skips them.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless as root, offline: no sandbox (root), no GPU, nothing phoning home, no QUIC to a server that has none. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export const ARTIFACTS = resolve(ROOT, "tests/artifacts");

/**
 * Launches Chromium. Each launch gets a fresh profile: Playwright passes Chromium a new temporary
 * `--user-data-dir` and deletes it on close (it refuses one in `args`; a chosen directory is
 * what `launchPersistentContext` is for).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}. The console's end-to-end tests need Debian's chromium: ` +
        "apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH to another Chromium binary).",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS, timeout: 30_000 });
}

/** Saves `tests/artifacts/console-<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `console-${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}

/**
 * Records what a person would see go wrong in the browser: script errors, console errors and
 * failed requests. Tests expect the list to stay empty.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ""}`));
  return problems;
}
