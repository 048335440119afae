import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app";
import { ProblemError } from "../problem";
import { allowsMarket, type Principal, type Role } from "./principal";
import { verifyCloudflareAccess } from "./sso";
import { verifyAccessToken } from "./tokens";

/**
 * Who may call what: one table, enforced by one middleware, so the whole matrix can be
 * tested. A route not listed here is public only if it is listed as "public"; anything else
 * the API serves must appear, and a test checks that every documented route does.
 *
 * `market: "path"` routes also require the principal's markets to include the `{marketId}`
 * in the path; routes whose market is in the body or the events check it in the handler.
 */
export interface Rule {
  id: string;
  method: string;
  path: string;
  roles: readonly Role[] | "public";
  market?: "path";
}

const EVERYONE: readonly Role[] = ["rider", "driver", "operator", "admin", "service"];

export const ACCESS: readonly Rule[] = [
  { id: "health.live", method: "GET", path: "/health/live", roles: "public" },
  { id: "health.ready", method: "GET", path: "/health/ready", roles: "public" },
  { id: "docs.openapi", method: "GET", path: "/openapi.json", roles: "public" },
  { id: "docs.page", method: "GET", path: "/docs", roles: "public" },
  { id: "docs.index", method: "GET", path: "/", roles: "public" },
  { id: "keys.jwks", method: "GET", path: "/.well-known/jwks.json", roles: "public" },
  { id: "auth.token", method: "POST", path: "/v1/auth/token", roles: "public" },
  { id: "auth.revoke", method: "POST", path: "/v1/auth/revoke", roles: "public" },

  { id: "markets.list", method: "GET", path: "/v1/markets", roles: EVERYONE },
  { id: "markets.get", method: "GET", path: "/v1/markets/{marketId}", roles: EVERYONE },
  { id: "markets.put", method: "PUT", path: "/v1/markets/{marketId}", roles: ["operator", "admin"], market: "path" },
  {
    id: "markets.heatmap",
    method: "GET",
    path: "/v1/markets/{marketId}/heatmap",
    roles: ["driver", "operator", "admin", "service"],
    market: "path",
  },
  { id: "events.supply", method: "POST", path: "/v1/events/supply", roles: ["driver", "service"] },
  { id: "events.demand", method: "POST", path: "/v1/events/demand", roles: ["rider", "service"] },
  { id: "surge.get", method: "GET", path: "/v1/surge", roles: EVERYONE },
  { id: "surge.history", method: "GET", path: "/v1/surge/history", roles: ["operator", "admin", "service"] },
  // Operators and admins quote too: the console's quote tester.
  { id: "quotes.create", method: "POST", path: "/v1/quotes", roles: ["rider", "service", "operator", "admin"] },
  { id: "quotes.verify", method: "POST", path: "/v1/quotes/verify", roles: EVERYONE },
  { id: "live", method: "GET", path: "/v1/live", roles: EVERYONE },
  { id: "analytics.kpis", method: "GET", path: "/v1/markets/{marketId}/kpis", roles: ["operator", "admin"], market: "path" },
  {
    id: "analytics.heatmapAt",
    method: "GET",
    path: "/v1/markets/{marketId}/heatmap/at",
    roles: ["operator", "admin"],
    market: "path",
  },
  { id: "analytics.reports", method: "POST", path: "/v1/analytics/reports", roles: ["operator", "admin"] },
  { id: "admin.deadLetters", method: "GET", path: "/v1/admin/dead-letters", roles: ["admin"] },
  { id: "admin.deadLettersReplay", method: "POST", path: "/v1/admin/dead-letters/replay", roles: ["admin"] },
  { id: "admin.apiKeys.create", method: "POST", path: "/v1/admin/api-keys", roles: ["admin"] },
  { id: "admin.apiKeys.list", method: "GET", path: "/v1/admin/api-keys", roles: ["admin"] },
  { id: "admin.apiKeys.revoke", method: "DELETE", path: "/v1/admin/api-keys/{keyId}", roles: ["admin"] },
  { id: "admin.users.create", method: "POST", path: "/v1/admin/users", roles: ["admin"] },
  { id: "admin.chaos.zone", method: "POST", path: "/v1/admin/chaos/zone", roles: ["admin"] },
  { id: "system.get", method: "GET", path: "/v1/system", roles: ["operator", "admin"] },
  { id: "system.probe", method: "POST", path: "/v1/system/probe", roles: ["admin"] },
  { id: "system.overrides.declare", method: "POST", path: "/v1/system/overrides", roles: ["operator", "admin"] },
  { id: "system.overrides.lift", method: "DELETE", path: "/v1/system/overrides/{overrideId}", roles: ["operator", "admin"] },
  { id: "system.report", method: "GET", path: "/v1/system/report", roles: ["operator", "admin"] },
];

interface Compiled extends Rule {
  pattern: RegExp;
  params: string[];
}

const COMPILED: Compiled[] = ACCESS.map((rule) => {
  const params: string[] = [];
  const source = rule.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
    params.push(name);
    return "([^/]+)";
  });
  return { ...rule, pattern: new RegExp(`^${source}$`), params };
});

/** The rule for a request, with its path parameters. */
export function ruleFor(method: string, path: string): { rule: Compiled; params: Record<string, string> } | undefined {
  for (const rule of COMPILED) {
    if (rule.method !== method && !(method === "HEAD" && rule.method === "GET")) continue;
    const m = rule.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    rule.params.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? "");
    });
    return { rule, params };
  }
  return undefined;
}

/** The principal of a request: a bearer token, `?access_token=` on a WebSocket, or a Cloudflare Access assertion. */
async function authenticate(c: Context<AppEnv>): Promise<Principal | undefined> {
  const header = c.req.header("authorization");
  if (header) {
    const [scheme, token] = header.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !token)
      throw new ProblemError(401, "Authorization must be a Bearer token.", {}, { "www-authenticate": "Bearer" });
    return verifyAccessToken(c.env, token);
  }
  // Browsers cannot set headers on a WebSocket: the live feed also takes the token in the query.
  const queryToken = c.req.header("upgrade")?.toLowerCase() === "websocket" ? c.req.query("access_token") : undefined;
  if (queryToken) return verifyAccessToken(c.env, queryToken);
  const assertion = c.req.header("cf-access-jwt-assertion");
  if (assertion) return verifyCloudflareAccess(c.env, assertion);
  return undefined;
}

/**
 * Authenticates every request and authorizes it against `ACCESS`: 401 without valid
 * credentials, 403 for a role, route scope or market the principal does not hold.
 */
export function access(): MiddlewareHandler<AppEnv> {
  return async function accessControl(c, next) {
    const url = new URL(c.req.url);
    const match = ruleFor(c.req.method, url.pathname);
    if (!match) return next(); // not an API route: 404 (or the method's 405) follows
    const { rule, params } = match;
    c.set("route", rule.id);
    const principal = await authenticate(c);
    if (principal) c.set("principal", principal);
    if (rule.roles === "public") return next();
    if (!principal)
      throw new ProblemError(
        401,
        "This route needs an access token (Authorization: Bearer …).",
        {},
        { "www-authenticate": "Bearer" },
      );
    const roles = rule.roles;
    if (!principal.roles.some((r) => roles.includes(r)))
      throw new ProblemError(
        403,
        `${rule.method} ${rule.path} is for ${roles.join(", ")}; this token is ${principal.roles.join(", ") || "without a role"}.`,
      );
    if (principal.routes && !principal.routes.includes(rule.id))
      throw new ProblemError(403, `This key is not scoped to ${rule.id}.`);
    if (rule.market === "path" && params.marketId !== undefined && !allowsMarket(principal, params.marketId))
      throw new ProblemError(403, `This token may not act on market "${params.marketId}".`);
    return next();
  };
}

/** For handlers whose market comes from the body or the data: 403 unless the caller holds it. */
export function requireMarket(c: Context<AppEnv>, market: string): void {
  if (!allowsMarket(c.get("principal"), market)) throw new ProblemError(403, `This token may not act on market "${market}".`);
}
