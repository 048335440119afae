import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { base32Decode, totpAt } from "../shared/kit/totp";
import { devToken } from "./dev-keys";
import { DevProblem } from "./dev-problem";

/**
 * People on a local platform: operators and admins made through the admin API
 * (`POST /v1/admin/users`, as in production: hashed password, TOTP, audit entry), with what they
 * need to sign in kept in `.dev/users.json` (ignored by git, readable by this user only), so the
 * dev command can print the seeded operator's sign-in on every start and `npm run user -- --code`
 * can give the authenticator's current code. A development convenience: production keeps no
 * password anywhere.
 */

export interface LocalUser {
  email: string;
  password: string;
  roles: string[];
  markets: string[];
  totp: { secret: string; uri: string } | null;
}

const ROOT = resolve(import.meta.dir, "..");
const STORE = resolve(ROOT, ".dev/users.json");
const PLATFORM = resolve(ROOT, ".dev/platform.json");
/** The operator the dev command makes on first start. */
export const SEEDED_OPERATOR = "operator@equilibrium.local";

export function localUsers(): Record<string, LocalUser> {
  return existsSync(STORE) ? (JSON.parse(readFileSync(STORE, "utf8")) as Record<string, LocalUser>) : {};
}

function keep(user: LocalUser): void {
  mkdirSync(dirname(STORE), { recursive: true });
  writeFileSync(STORE, `${JSON.stringify({ ...localUsers(), [user.email]: user }, null, 2)}\n`, { mode: 0o600 });
}

/** Where this checkout's platform runs (the dev command records it on start). */
export function platformUrl(): string {
  if (existsSync(PLATFORM)) return (JSON.parse(readFileSync(PLATFORM, "utf8")) as { url: string }).url;
  return `http://127.0.0.1:${process.env.PORT || 8787}`;
}

export function recordPlatform(url: string): void {
  mkdirSync(dirname(PLATFORM), { recursive: true });
  writeFileSync(PLATFORM, `${JSON.stringify({ url, pid: process.pid })}\n`);
}

/** A password for a local user: 16 letters and digits. */
export function newPassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => alphabet[b % alphabet.length]).join("");
}

/** The authenticator's code for a local user now. */
export async function currentCode(user: LocalUser, nowMs = Date.now()): Promise<string> {
  if (!user.totp) throw new DevProblem(`${user.email} has no authenticator (single sign-on only)`);
  return totpAt(base32Decode(user.totp.secret), Math.floor(nowMs / 30_000));
}

export type Created = { created: true; user: LocalUser } | { created: false; status: number; detail: string };

/**
 * Adds a user through the admin API of the platform at `url`, with an admin token signed by this
 * checkout's development key, and keeps their sign-in locally.
 */
export async function createUser(
  url: string,
  input: { email: string; password: string; roles: string[]; markets: string[] },
): Promise<Created> {
  const token = await devToken(resolve(ROOT, ".dev.vars"), { subject: "dev-admin", roles: ["admin"], seconds: 300 });
  let res: Response;
  try {
    res = await fetch(`${url}/v1/admin/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(input),
    });
  } catch {
    throw new DevProblem(`no platform answers at ${url}: start it with npm start (or name it with --url)`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    totp?: LocalUser["totp"];
    detail?: string;
    errors?: Array<{ path?: string; message?: string }>;
  };
  if (res.status !== 201) {
    const fields = body.errors?.map((e) => `${e.path ?? ""}: ${e.message ?? ""}`).join("; ");
    return { created: false, status: res.status, detail: fields || body.detail || res.statusText };
  }
  const user: LocalUser = { ...input, email: input.email.toLowerCase(), totp: body.totp ?? null };
  keep(user);
  return { created: true, user };
}

/**
 * The dev command's local operator, made once (for every market) and kept: its sign-in lines for
 * the banner. A database that lost it (dropped, or a fresh `DATABASE_URL`) gets it again with
 * the same password and a new authenticator secret.
 */
export async function seedOperator(url: string): Promise<string[]> {
  const kept = localUsers()[SEEDED_OPERATOR];
  const outcome = await createUser(url, {
    email: SEEDED_OPERATOR,
    password: kept?.password ?? newPassword(),
    roles: ["operator"],
    markets: ["*"],
  });
  const user = outcome.created ? outcome.user : kept;
  if (!outcome.created && outcome.status !== 409)
    return [`the local operator could not be made (${outcome.status}): ${outcome.detail}`];
  if (!user) return [`${SEEDED_OPERATOR} was made by another checkout on this database; add yourself with npm run user (below)`];
  return [
    `sign in as ${user.email}, password ${user.password}, and the code of`,
    `$ npm run --silent user -- --code ${user.email}`,
    ...(user.totp ? [`(or enrol an authenticator app: ${user.totp.uri})`] : []),
  ];
}
