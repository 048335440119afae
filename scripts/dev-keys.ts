import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { newAuthSigningKeys, newQuoteSigningKey } from "../harness/keys";
import { mintToken, type TokenClaims } from "../harness/tokens";
import { newSealKey } from "../shared/notifications/seal";
import { newVapidKeys } from "../shared/notifications/vapid";

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

/** The access-token key set in a .dev.vars file, if the dev command has made one. */
export function devAuthKeys(path: string): string | undefined {
  return read(path)
    .get("AUTH_SIGNING_KEYS")
    ?.replace(/^'(.*)'$/, "$1");
}

/**
 * An access token signed with a checkout's development key, as the local platform (wrangler dev
 * with that .dev.vars) accepts it: for `bun run token`, the dev command and the simulator.
 */
export function devToken(path: string, claims: TokenClaims): Promise<string> {
  const keys = devAuthKeys(path);
  if (!keys) throw new Error(`no AUTH_SIGNING_KEYS in ${path}: run \`npm start\` once first`);
  return mintToken(keys, claims);
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

/**
 * Notifications' local keys (made once, kept: webhook secrets in Postgres are sealed under the
 * seal key): the seal key for both Workers, the VAPID pair split between them, local webhook
 * targets allowed, and empty provider credentials (those channels park with "not configured").
 */
export async function ensureNotificationKeys(apiPath: string, workerPath: string): Promise<void> {
  const api = read(apiPath);
  const worker = read(workerPath);
  if (api.has("NOTIFICATIONS_SEAL_KEY") && worker.get("NOTIFICATIONS_SEAL_KEY") === api.get("NOTIFICATIONS_SEAL_KEY")) return;
  const sealKey = api.get("NOTIFICATIONS_SEAL_KEY")?.replace(/^'(.*)'$/, "$1") ?? newSealKey();
  const vapid = await newVapidKeys();
  setDevVars(apiPath, {
    NOTIFICATIONS_SEAL_KEY: sealKey,
    VAPID_PUBLIC_KEY: vapid.publicKey,
    NOTIFICATIONS_LOCAL_TARGETS: "true",
  });
  setDevVars(workerPath, {
    NOTIFICATIONS_SEAL_KEY: sealKey,
    VAPID_PRIVATE_KEY: vapid.privateJwk,
    NOTIFICATIONS_LOCAL_TARGETS: "true",
    FCM_SERVICE_ACCOUNT: worker.has("FCM_SERVICE_ACCOUNT") ? undefined : "",
    APNS_KEY: worker.has("APNS_KEY") ? undefined : "",
    EMAIL_API_KEY: worker.has("EMAIL_API_KEY") ? undefined : "",
    SMS_ACCOUNT: worker.has("SMS_ACCOUNT") ? undefined : "",
  });
  console.log(`generated local notification keys in ${apiPath} and ${workerPath}`);
}

if (import.meta.main) await ensureDevKeys();
