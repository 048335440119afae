import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isRole, ROLES } from "../workers/api/auth/principal";
import { mintToken } from "./signing-key";

/**
 * `bun run token <role> [--market <id>]... [--subject <s>] [--hours <n>]`: an access token signed
 * with the local development key (.dev.vars), for trying the API as any role. Production
 * tokens come only from /v1/auth/token.
 */
const args = process.argv.slice(2);
const role = args[0];
if (!isRole(role)) {
  console.error(`usage: bun run token <${ROLES.join("|")}> [--market <id>]... [--subject <s>] [--hours <n>]`);
  process.exit(2);
}
const option = (name: string) => args.flatMap((a, i) => (a === `--${name}` && args[i + 1] ? [args[i + 1] as string] : []));
const vars = readFileSync(resolve(import.meta.dir, "../.dev.vars"), "utf8");
const keys = /^AUTH_SIGNING_KEYS='(.*)'$/m.exec(vars)?.[1];
if (!keys) {
  console.error("no AUTH_SIGNING_KEYS in .dev.vars: run `npm start` once first");
  process.exit(1);
}
const markets = option("market");
const token = await mintToken(keys, "https://equilibrium.local", {
  subject: option("subject")[0] ?? `dev-${role}`,
  roles: [role],
  markets: markets.length > 0 ? markets : ["*"],
  seconds: Math.round(Number(option("hours")[0] ?? 12) * 3600),
});
console.log(token);
