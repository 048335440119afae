import { parseArgs } from "node:util";
import { DevProblem, exitWith } from "./dev-problem";
import { createUser, currentCode, localUsers, newPassword, platformUrl } from "./dev-users";

/**
 * `npm run user -- --email <email> --role operator|admin --markets <id>[,<id>…] [--password <p>]`:
 * adds a person to the local platform (through its admin API) and prints their sign-in.
 * `npm run --silent user -- --code <email>`: the authenticator's current code of a user made here.
 */
const USAGE =
  "usage: npm run user -- --email <email> --role operator|admin --markets <id>[,<id>…] [--password <p>] [--url <platform>]\n" +
  "       npm run --silent user -- --code <email>";

try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      email: { type: "string" },
      role: { type: "string", multiple: true },
      markets: { type: "string", multiple: true },
      market: { type: "string", multiple: true },
      password: { type: "string" },
      url: { type: "string" },
      code: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.code !== undefined) {
    const user = localUsers()[values.code.toLowerCase()];
    if (!user) throw new DevProblem(`${values.code} was not made on this checkout (npm run user makes one)`);
    console.log(await currentCode(user));
    process.exit(0);
  }
  const roles = values.role ?? [];
  const markets = [...(values.markets ?? []), ...(values.market ?? [])].flatMap((m) => m.split(",")).filter(Boolean);
  const bad = roles.find((r) => r !== "operator" && r !== "admin");
  if (!values.email || roles.length === 0 || markets.length === 0 || bad)
    throw new DevProblem(bad ? `--role is operator or admin, not "${bad}"\n${USAGE}` : USAGE);
  const url = values.url ?? platformUrl();
  const outcome = await createUser(url, { email: values.email, password: values.password ?? newPassword(), roles, markets });
  if (!outcome.created)
    throw new DevProblem(
      outcome.status === 409 ? `${values.email} exists already` : `the platform refused (${outcome.status}): ${outcome.detail}`,
    );
  const { user } = outcome;
  console.log(`${user.email} (${user.roles.join(", ")}; markets ${user.markets.join(", ")}) can sign in at ${url}/console/
  password  ${user.password}
  code      npm run --silent user -- --code ${user.email}${user.totp ? `\n  enrol     ${user.totp.uri}` : ""}`);
} catch (error) {
  exitWith(error, "npm run user");
}
