import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { newAuthSigningKeys, newQuoteSigningKey } from "./signing-key";

/**
 * Local secrets and settings live in `.dev.vars` files (ignored by git), one per Worker.
 * Production keys are Worker secrets: `wrangler secret put QUOTE_SIGNING_KEY`.
 */

function read(path: string): Map<string, string> {
  const vars = new Map<string, string>();
  if (!existsSync(path)) return vars;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (m?.[1] && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  return vars;
}

/** Sets the given variables in a .dev.vars file, keeping the others. */
export function setDevVars(path: string, values: Record<string, string | undefined>): void {
  const vars = read(path);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) vars.delete(k);
    else vars.set(k, `'${v.replaceAll("'", "")}'`);
  }
  writeFileSync(path, `${[...vars].map(([k, v]) => `${k}=${v}`).join("\n")}\n`, { mode: 0o600 });
}

/** Makes sure a .dev.vars holds locally generated keys for quotes and access tokens. */
export async function ensureDevKeys(path = ".dev.vars"): Promise<void> {
  const vars = read(path);
  if (!vars.has("QUOTE_SIGNING_KEY")) {
    setDevVars(path, { QUOTE_SIGNING_KEY: await newQuoteSigningKey() });
    console.log(`generated a local quote signing key in ${path}`);
  }
  if (!vars.has("AUTH_SIGNING_KEYS")) {
    setDevVars(path, { AUTH_SIGNING_KEYS: await newAuthSigningKeys() });
    console.log(`generated a local access-token signing key in ${path}`);
  }
}

if (import.meta.main) await ensureDevKeys();
