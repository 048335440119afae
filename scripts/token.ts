import { resolve } from "node:path";
import { isRole, ROLES } from "../workers/api/auth/principal";
import { devAuthKeys, devToken } from "./dev-keys";

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
const vars = resolve(import.meta.dir, "../.dev.vars");
if (!devAuthKeys(vars)) {
  console.error("no AUTH_SIGNING_KEYS in .dev.vars: run `npm start` once first");
  process.exit(1);
}
const markets = option("market");
const token = await devToken(vars, {
  subject: option("subject")[0] ?? `dev-${role}`,
  roles: [role],
  markets: markets.length > 0 ? markets : ["*"],
  seconds: Math.round(Number(option("hours")[0] ?? 12) * 3600),
});
console.log(token);
