import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { newQuoteSigningKey } from "./signing-key";

/**
 * Makes sure `.dev.vars` (ignored by git) holds a locally generated quote signing key.
 * Production keys are Worker secrets: `wrangler secret put QUOTE_SIGNING_KEY`.
 */
export async function ensureDevKeys(path = ".dev.vars"): Promise<void> {
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (/^QUOTE_SIGNING_KEY=/m.test(current)) return;
  const line = `QUOTE_SIGNING_KEY='${await newQuoteSigningKey()}'\n`;
  writeFileSync(path, current + (current && !current.endsWith("\n") ? "\n" : "") + line, { mode: 0o600 });
  console.log(`generated a local quote signing key in ${path}`);
}

if (import.meta.main) await ensureDevKeys();
