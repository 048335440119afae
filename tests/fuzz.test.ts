import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { getPath } from "hono/utils/url";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Platform, startPlatform } from "../harness/platform";
import { psql } from "../scripts/postgres";
import { ACCESS, ruleFor } from "../workers/api/auth/access";
import { allowsMarket, type Principal, type Role } from "../workers/api/auth/principal";
import { rawRequest } from "./support/raw-http";

/**
 * An attacker's view of the API, generated: paths spelled every way a router might read
 * differently (percent-encoding, double slashes, dot segments, case, unicode, backslashes),
 * every method, bodies random, huge or malformed, and tokens missing, forged, expired, of the
 * wrong role or of another market. Whatever comes in:
 *  - nothing is a 5xx;
 *  - nothing is a 2xx unless the caller holds a role (and market) the access table gives the
 *    route the router really ran: decided by Hono's own `getPath`, as the router decides;
 *  - a refused request changes nothing: markets, users, API keys and refresh tokens in Postgres
 *    read the same before and after it.
 */

let p: Platform;

interface Caller {
  name: string;
  /** The Authorization header value, if any. */
  authorization?: string;
  /** Who the platform should take it for: undefined when the token must be refused. */
  principal?: Pick<Principal, "roles" | "markets">;
}
const callers: Caller[] = [];

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
  const as = async (name: string, roles: Role[], markets: string[], seconds?: number) => ({
    name,
    authorization: `Bearer ${await p.token({ subject: `fuzz-${name}`, roles, markets, seconds })}`,
    principal: seconds !== undefined && seconds < 0 ? undefined : { roles, markets },
  });
  callers.push(
    { name: "nobody" },
    { name: "garbage", authorization: "Bearer not.a.token" },
    { name: "basic", authorization: "Basic YWRtaW46YWRtaW4=" },
    await as("expired admin", ["admin"], ["*"], -60),
    await as("rider", ["rider"], ["*"]),
    await as("driver", ["driver"], ["nyc"]),
    await as("hcm operator", ["operator"], ["hcm"]),
    await as("service", ["service"], ["nyc"]),
    await as("admin", ["admin", "operator"], ["*"]),
  );
});
afterAll(async () => {
  await p.dispose();
});

/** Everything a refusal must leave as it was, in one digest. */
function stateDigest(): string {
  return psql(
    p.database.target,
    p.database.name,
    `select md5(coalesce((select string_agg(id || ':' || version, ',' order by id) from markets), '') || '|' ||
       coalesce((select string_agg(id || ':' || coalesce(disabled_at::text, '') || ':' || coalesce(totp_last_step::text, ''), ',' order by id) from users), '') || '|' ||
       coalesce((select string_agg(id || ':' || coalesce(revoked_at::text, ''), ',' order by id) from api_keys), '') || '|' ||
       coalesce((select string_agg(id || ':' || coalesce(revoked_at::text, '') || coalesce(rotated_at::text, ''), ',' order by id) from refresh_tokens), ''))`,
  );
}

// --- paths --------------------------------------------------------------------------------

const concretePaths = [
  ...new Set(
    ACCESS.map(
      (r) =>
        r.path
          .replace("{marketId}", "nyc")
          .replace("{keyId}", "key_nothing")
          .replace("{userId}", "usr_nothing")
          .replace("{overrideId}", "ovr_nothing") + (r.query ? `?${r.query}=1` : ""),
    ),
  ),
  "/v1/markets/hcm/kpis",
  "/v1/markets/zzz/heatmap",
  "/v1/nothing",
  "/console/",
  "/v2/markets",
];

const hex = (ch: string, upper: boolean) => {
  const h = ch.charCodeAt(0).toString(16).padStart(2, "0");
  return `%${upper ? h.toUpperCase() : h}`;
};

/** One way to spell a path differently; applied at a position chosen by the generator. */
type Mutation = (path: string, at: number, upper: boolean) => string;
const MUTATIONS: Record<string, Mutation> = {
  encode: (s, at, upper) =>
    /[A-Za-z0-9-]/.test(s[at] ?? "") ? s.slice(0, at) + hex(s[at] as string, upper) + s.slice(at + 1) : s,
  doubleSlash: (s, at) => s.slice(0, at) + s.slice(at).replace("/", "//"),
  trailingSlash: (s) => s.replace(/(\?|$)/, "/$1"),
  flipCase: (s, at) => s.slice(0, at) + (s[at] ?? "").toUpperCase() + s.slice(at + 1),
  dot: (s, at) => s.slice(0, at) + s.slice(at).replace("/", "/./"),
  encodedDot: (s, at, upper) => s.slice(0, at) + s.slice(at).replace("/", upper ? "/%2E/" : "/%2e/"),
  dotDot: (s, at) => s.slice(0, at) + s.slice(at).replace("/", "/x/../"),
  encodedDotDot: (s, at) => s.slice(0, at) + s.slice(at).replace("/", "/x/%2e%2e/"),
  encodedSlash: (s, at, upper) => s.slice(0, at) + s.slice(at).replace("/", upper ? "%2F" : "%2f"),
  backslash: (s, at) => s.slice(0, at) + s.slice(at).replace("/", "%5C"),
  fullwidth: (s, at) => s.slice(0, at) + (/[a-z]/.test(s[at] ?? "") ? "%EF%BD%81" : "") + s.slice(at + 1),
  overlong: (s, at) => s.slice(0, at) + s.slice(at).replace("/", "%C0%AF"),
  nul: (s, at) => `${s.slice(0, at)}%00${s.slice(at)}`,
  matrix: (s, at) => s.slice(0, at) + s.slice(at).replace(/\/|$/, ";x=1/"),
  brokenPercent: (s, at) => `${s.slice(0, at)}%${s.slice(at)}`,
  turkishI: (s, at) => s.slice(0, at) + (s[at] === "i" ? "%C4%B0" : (s[at] ?? "")) + s.slice(at + 1),
};

const target = fc
  .tuple(
    fc.constantFrom(...concretePaths),
    fc.array(fc.tuple(fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(40), fc.boolean()), { maxLength: 3 }),
  )
  .map(([path, mutations]) => {
    let out = path;
    for (const [name, at, upper] of mutations) out = (MUTATIONS[name] as Mutation)(out, 1 + (at % out.length), upper);
    return out.startsWith("/") ? out : `/${out}`;
  });

// --- methods and bodies ----------------------------------------------------------------------

const method = fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND");
const body = fc.oneof(
  { weight: 4, arbitrary: fc.json().map((json) => ({ text: json, type: "application/json" })) },
  { weight: 2, arbitrary: fc.string().map((text) => ({ text, type: "application/json" })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("{", '{"events":[', "[]", "null", '{"grant_type":"password"}')
      .map((text) => ({ text, type: "application/json" })),
  },
  { weight: 1, arbitrary: fc.string().map((text) => ({ text, type: "text/csv" })) },
  {
    weight: 1,
    arbitrary: fc.constant({ text: `{"events":[${'{"eventId":"x"},'.repeat(40_000)}{}]}`, type: "application/json" }),
  },
  { weight: 2, arbitrary: fc.constant(undefined) },
);

// --- the oracle: may this caller get a 2xx for what the router ran? --------------------------

/** The path the router sees for a request target (Hono's `getPath`), and its query. */
function routed(rawTarget: string) {
  const request = new Request(p.url + rawTarget);
  return { path: getPath(request), query: new URL(request.url).searchParams };
}

/** The operator console's static files are served before the worker runs, to anyone, by the asset server. */
const isConsoleAsset = (rawTarget: string) => routed(rawTarget).path.startsWith("/console/");

function mayBeServed(caller: Caller, httpMethod: string, rawTarget: string): boolean {
  if (isConsoleAsset(rawTarget)) return true;
  const { path, query } = routed(rawTarget);
  const match = ruleFor(httpMethod, path, (name) => query.has(name));
  if (!match) return false;
  if (match.rule.roles === "public") return true;
  const principal = caller.principal;
  if (!principal) return false;
  const roles = match.rule.roles;
  if (!principal.roles.some((r) => roles.includes(r))) return false;
  if (match.rule.market === "path" && match.params.marketId !== undefined)
    return allowsMarket({ ...principal, subject: "", routes: undefined, via: "token" }, match.params.marketId);
  return true;
}

describe("the API under generated attack", () => {
  test("no 5xx, no 2xx without the route's role, and no state change on refusal", async () => {
    const before = stateDigest();
    let refusedWrites = 0;
    await fc.assert(
      fc.asyncProperty(target, method, body, fc.nat(callers.length - 1), async (path, httpMethod, payload, who) => {
        const caller = callers[who] as Caller;
        const writes = !["GET", "HEAD", "OPTIONS"].includes(httpMethod);
        const digest = writes ? stateDigest() : "";
        const res = await rawRequest(
          p.url,
          httpMethod,
          path,
          {
            ...(caller.authorization ? { authorization: caller.authorization } : {}),
            ...(payload ? { "content-type": payload.type } : {}),
          },
          httpMethod === "GET" || httpMethod === "HEAD" ? undefined : payload?.text,
        );
        const seen = { caller: caller.name, method: httpMethod, path, status: res.status };
        expect({ ...seen, serverError: res.status >= 500 }).toEqual({ ...seen, serverError: false });
        // A CORS preflight is answered by the CORS middleware, with no handler and no body.
        const preflight = httpMethod === "OPTIONS" && res.status === 204 && res.body === "";
        if (res.status >= 200 && res.status < 300 && !preflight)
          expect({ ...seen, allowed: mayBeServed(caller, httpMethod, path) }).toEqual({ ...seen, allowed: true });
        if (res.status >= 400 && httpMethod !== "HEAD" && !isConsoleAsset(path))
          expect(res.headers["content-type"] ?? "").toContain("application/problem+json");
        if (writes && res.status >= 400) {
          refusedWrites += 1;
          expect({ ...seen, changed: stateDigest() !== digest }).toEqual({ ...seen, changed: false });
        }
      }),
      { numRuns: 300 },
    );
    expect(refusedWrites).toBeGreaterThan(50);
    // The admin's random bodies never made a valid user, key or market either.
    expect(stateDigest()).toBe(before);
  }, 120_000);
});
