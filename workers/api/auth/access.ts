import type { Context, MiddlewareHandler } from "hono";
import { tryDecodeURIComponent } from "hono/utils/url";
import type { AppEnv } from "../app";
import { ProblemError } from "../problem";
import { allowsMarket, type Principal, type Role } from "./principal";
import { revocations } from "./revocations";
import { verifyCloudflareAccess } from "./sso";
import { verifyAccessToken } from "./tokens";

/**
 * Who may call what: one table, enforced by one pair of middlewares, so the whole matrix can be
 * tested. A request is matched on the path the router itself routes on (`c.req.path`: Hono's
 * `getPath`, percent-decoded), so no spelling of a path reaches a handler by another rule than its
 * own. A request that matches no rule is refused with a 404 before any handler runs: public
 * routes are listed as "public" like any other, and a test walks every route the app registers.
 *
 * `market: "path"` routes also require the principal's markets to include the `{marketId}` in
 * the path, `market: "query"` the `?market=`; routes whose market is in the body or the events
 * check it in the handler. A rule with `query` applies only when the request carries that query
 * parameter: a narrower or wider scope of the same path (the whole-market live feed, the deep
 * readiness probe), listed before the path's plain rule. Handlers read the matched rule's id
 * (`c.get("route")`) rather than the query again, so table and handler cannot disagree.
 */
export interface Rule {
  id: string;
  method: string;
  path: string;
  roles: readonly Role[] | "public";
  market?: "path" | "query";
  query?: string;
}

const EVERYONE: readonly Role[] = ["rider", "driver", "operator", "admin", "service"];
/** Who may see a whole market at once (its heatmap, its live feed): not riders. */
const MARKET_WIDE: readonly Role[] = ["driver", "operator", "admin", "service"];

export const ACCESS: readonly Rule[] = [
  { id: "health.live", method: "GET", path: "/health/live", roles: "public" },
  // The deep probe calls every dependency: operators only. Anyone gets the cheap answer.
  { id: "health.ready.deep", method: "GET", path: "/health/ready", query: "deep", roles: ["operator", "admin"] },
  { id: "health.ready", method: "GET", path: "/health/ready", roles: "public" },
  { id: "docs.openapi", method: "GET", path: "/openapi.json", roles: "public" },
  { id: "docs.page", method: "GET", path: "/docs", roles: "public" },
  { id: "docs.index", method: "GET", path: "/", roles: "public" },
  { id: "keys.jwks", method: "GET", path: "/.well-known/jwks.json", roles: "public" },
  { id: "auth.token", method: "POST", path: "/v1/auth/token", roles: "public" },
  { id: "auth.revoke", method: "POST", path: "/v1/auth/revoke", roles: "public" },
  // The languages the platform speaks: anyone, before signing in (the console's switcher).
  { id: "locales.list", method: "GET", path: "/v1/locales", roles: "public" },

  { id: "markets.list", method: "GET", path: "/v1/markets", roles: EVERYONE },
  { id: "markets.get", method: "GET", path: "/v1/markets/{marketId}", roles: EVERYONE },
  { id: "markets.put", method: "PUT", path: "/v1/markets/{marketId}", roles: ["operator", "admin"], market: "path" },
  { id: "markets.heatmap", method: "GET", path: "/v1/markets/{marketId}/heatmap", roles: MARKET_WIDE, market: "path" },
  // Archiving stops a market's pricing (its operators may); deleting an archived one is an admin's.
  { id: "markets.archive", method: "POST", path: "/v1/markets/{marketId}/archive", roles: ["operator", "admin"], market: "path" },
  { id: "markets.delete", method: "DELETE", path: "/v1/markets/{marketId}", roles: ["admin"], market: "path" },
  { id: "markets.alerts", method: "GET", path: "/v1/markets/{marketId}/alerts", roles: ["operator", "admin"], market: "path" },
  { id: "events.supply", method: "POST", path: "/v1/events/supply", roles: ["driver", "service"] },
  { id: "events.demand", method: "POST", path: "/v1/events/demand", roles: ["rider", "service"] },
  { id: "surge.get", method: "GET", path: "/v1/surge", roles: EVERYONE },
  { id: "surge.history", method: "GET", path: "/v1/surge/history", roles: ["operator", "admin", "service"] },
  // Operators and admins quote too: the console's quote tester.
  { id: "quotes.create", method: "POST", path: "/v1/quotes", roles: ["rider", "service", "operator", "admin"] },
  { id: "quotes.verify", method: "POST", path: "/v1/quotes/verify", roles: EVERYONE },
  // Cells: anyone who may read surge. Without cells it is the whole market's feed: as the heatmap.
  { id: "live", method: "GET", path: "/v1/live", query: "cells", roles: EVERYONE },
  { id: "live.market", method: "GET", path: "/v1/live", roles: MARKET_WIDE, market: "query" },
  { id: "analytics.kpis", method: "GET", path: "/v1/markets/{marketId}/kpis", roles: ["operator", "admin"], market: "path" },
  {
    id: "analytics.heatmapAt",
    method: "GET",
    path: "/v1/markets/{marketId}/heatmap/at",
    roles: ["operator", "admin"],
    market: "path",
  },
  { id: "analytics.reports", method: "POST", path: "/v1/analytics/reports", roles: ["operator", "admin"] },
  // Forecasts: operators train, import and read; driver apps (and partners) read hotspots.
  {
    id: "history.import",
    method: "POST",
    path: "/v1/markets/{marketId}/history/import",
    roles: ["operator", "admin"],
    market: "path",
  },
  {
    id: "forecasts.train",
    method: "POST",
    path: "/v1/markets/{marketId}/forecasts/train",
    roles: ["operator", "admin"],
    market: "path",
  },
  { id: "forecasts.models", method: "GET", path: "/v1/markets/{marketId}/models", roles: ["operator", "admin"], market: "path" },
  {
    id: "forecasts.get",
    method: "GET",
    path: "/v1/markets/{marketId}/forecast",
    roles: ["operator", "admin", "service"],
    market: "path",
  },
  // The console's forecast layer and a cell's forecast beside its actual demand: operators of the market.
  {
    id: "forecasts.cells",
    method: "GET",
    path: "/v1/markets/{marketId}/forecast/cells",
    roles: ["operator", "admin"],
    market: "path",
  },
  {
    id: "forecasts.actuals",
    method: "GET",
    path: "/v1/markets/{marketId}/forecast/actuals",
    roles: ["operator", "admin"],
    market: "path",
  },
  {
    id: "forecasts.hotspots",
    method: "GET",
    path: "/v1/markets/{marketId}/hotspots",
    roles: ["driver", "operator", "admin", "service"],
    market: "path",
  },
  {
    id: "calendar.put",
    method: "PUT",
    path: "/v1/markets/{marketId}/calendar/{entryId}",
    roles: ["operator", "admin"],
    market: "path",
  },
  {
    id: "calendar.get",
    method: "GET",
    path: "/v1/markets/{marketId}/calendar/{entryId}",
    roles: ["operator", "admin", "service"],
    market: "path",
  },
  {
    id: "calendar.list",
    method: "GET",
    path: "/v1/markets/{marketId}/calendar",
    roles: ["operator", "admin", "service"],
    market: "path",
  },
  // Experiments: their market is in the body or the stored experiment, checked by the handler.
  { id: "experiments.list", method: "GET", path: "/v1/experiments", roles: ["operator", "admin"] },
  { id: "experiments.put", method: "PUT", path: "/v1/experiments/{experimentId}", roles: ["operator", "admin"] },
  { id: "experiments.get", method: "GET", path: "/v1/experiments/{experimentId}", roles: ["operator", "admin"] },
  // A partner's back end asks which variant a rider or place is in (e.g. how its app shows the price).
  {
    id: "experiments.assignment",
    method: "GET",
    path: "/v1/experiments/{experimentId}/assignment",
    roles: ["operator", "admin", "service"],
  },
  { id: "experiments.results", method: "GET", path: "/v1/experiments/{experimentId}/results", roles: ["operator", "admin"] },
  { id: "experiments.stop", method: "POST", path: "/v1/experiments/{experimentId}/stop", roles: ["operator", "admin"] },
  { id: "markets.replay", method: "POST", path: "/v1/markets/{marketId}/replay", roles: ["operator", "admin"], market: "path" },
  { id: "admin.deadLetters", method: "GET", path: "/v1/admin/dead-letters", roles: ["admin"] },
  { id: "admin.deadLettersReplay", method: "POST", path: "/v1/admin/dead-letters/replay", roles: ["admin"] },
  { id: "admin.apiKeys.create", method: "POST", path: "/v1/admin/api-keys", roles: ["admin"] },
  { id: "admin.apiKeys.list", method: "GET", path: "/v1/admin/api-keys", roles: ["admin"] },
  { id: "admin.apiKeys.revoke", method: "DELETE", path: "/v1/admin/api-keys/{keyId}", roles: ["admin"] },
  { id: "admin.users.create", method: "POST", path: "/v1/admin/users", roles: ["admin"] },
  { id: "admin.users.disable", method: "DELETE", path: "/v1/admin/users/{userId}", roles: ["admin"] },
  { id: "admin.chaos.zone", method: "POST", path: "/v1/admin/chaos/zone", roles: ["admin"] },
  { id: "system.get", method: "GET", path: "/v1/system", roles: ["operator", "admin"] },
  { id: "system.probe", method: "POST", path: "/v1/system/probe", roles: ["admin"] },
  { id: "system.overrides.declare", method: "POST", path: "/v1/system/overrides", roles: ["operator", "admin"] },
  { id: "system.overrides.lift", method: "DELETE", path: "/v1/system/overrides/{overrideId}", roles: ["operator", "admin"] },
  { id: "system.report", method: "GET", path: "/v1/system/report", roles: ["operator", "admin"] },
  { id: "system.backlog", method: "GET", path: "/v1/system/backlog", roles: ["admin"] },
  { id: "system.drain", method: "POST", path: "/v1/system/drain", roles: ["admin"] },
  { id: "admin.audit", method: "GET", path: "/v1/admin/audit", roles: ["admin"] },
  // Machine-drafted messages and their review: admins only.
  { id: "admin.translations.list", method: "GET", path: "/v1/admin/translations", roles: ["admin"] },
  { id: "admin.translations.draft", method: "POST", path: "/v1/admin/translations/draft", roles: ["admin"] },
  { id: "admin.translations.review", method: "POST", path: "/v1/admin/translations/{language}/{key}", roles: ["admin"] },
  // A rider's or driver's note about a price (a partner's back end passes its rider's).
  { id: "feedback.create", method: "POST", path: "/v1/feedback", roles: ["rider", "driver", "service"] },
  // Notifications: everyone subscribes for themselves (the handler checks the market and
  // which topics a role may hear); a subscription and its log are its owner's (admins: any).
  { id: "notifications.subscribe", method: "POST", path: "/v1/notifications/subscriptions", roles: EVERYONE },
  { id: "notifications.list", method: "GET", path: "/v1/notifications/subscriptions", roles: EVERYONE },
  { id: "notifications.get", method: "GET", path: "/v1/notifications/subscriptions/{subscriptionId}", roles: EVERYONE },
  { id: "notifications.delete", method: "DELETE", path: "/v1/notifications/subscriptions/{subscriptionId}", roles: EVERYONE },
  {
    id: "notifications.replay",
    method: "POST",
    path: "/v1/notifications/subscriptions/{subscriptionId}/replay",
    roles: EVERYONE,
  },
  { id: "notifications.deliveries", method: "GET", path: "/v1/notifications/deliveries", roles: EVERYONE },
  // On a developer's machine only (production answers 404): what the providers' stand-ins received.
  { id: "notifications.mailbox", method: "GET", path: "/v1/notifications/mailbox", roles: ["operator", "admin"] },
  // A public key: browsers need it before anyone signs in.
  { id: "notifications.vapidKey", method: "GET", path: "/v1/notifications/vapid-public-key", roles: "public" },
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

/**
 * The rule for a request, with its path parameters (decoded as the router decodes them).
 * `path` must be the router's path (`c.req.path`); `hasQuery` says which query parameters are present.
 *
 * @example ruleFor("GET", "/v1/markets/nyc/heatmap", () => false) // { rule: markets.heatmap, params: { marketId: "nyc" } }
 */
export function ruleFor(
  method: string,
  path: string,
  hasQuery: (name: string) => boolean = () => false,
): { rule: Compiled; params: Record<string, string> } | undefined {
  for (const rule of COMPILED) {
    if (rule.method !== method && !(method === "HEAD" && rule.method === "GET")) continue;
    if (rule.query !== undefined && !hasQuery(rule.query)) continue;
    const m = rule.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    rule.params.forEach((name, i) => {
      params[name] = tryDecodeURIComponent(m[i + 1] ?? "");
    });
    return { rule, params };
  }
  return undefined;
}

/**
 * The methods a path has (HEAD wherever GET is), for a 405's `Allow`; none when no rule names the path.
 *
 * @example methodsOf("/v1/markets/nyc") // ["GET", "HEAD", "PUT"]
 */
export function methodsOf(path: string): string[] {
  const methods = new Set(COMPILED.filter((rule) => rule.pattern.test(path)).map((rule) => rule.method));
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

/** The principal of a request: a bearer token, `?access_token=` on a WebSocket, or a Cloudflare Access assertion. */
async function authenticate(c: Context<AppEnv>): Promise<Principal | undefined> {
  const header = c.req.header("authorization");
  if (header) {
    const [scheme, token] = header.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !token)
      throw new ProblemError(401, { code: "bearer-required" }, {}, { "www-authenticate": "Bearer" });
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
 * First half of access control: finds the request's rule and its caller. A failed
 * authentication (a bad, expired or revoked token) is kept, not thrown, so the rate limits
 * that run next count it against the caller's address; `authorize()` then refuses it.
 */
export function identify(): MiddlewareHandler<AppEnv> {
  return async function identifyCaller(c, next) {
    const match = ruleFor(c.req.method, c.req.path, (name) => c.req.query(name) !== undefined);
    if (match) {
      c.set("route", match.rule.id);
      c.set("routeParams", match.params);
    }
    try {
      const principal = await authenticate(c);
      if (principal?.credential) {
        const revoked = (await revocations(c.env)).matching(principal.credential, Date.now());
        if (revoked)
          throw new ProblemError(
            401,
            { code: "token-revoked", params: { kind: revoked.kind } },
            {},
            { "www-authenticate": 'Bearer error="invalid_token"' },
          );
      }
      if (principal) c.set("principal", principal);
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      c.set("refusal", err);
    }
    return next();
  };
}

/**
 * Second half: 404 for a request no rule names (before any handler), 401 without valid
 * credentials, 403 for a role, route scope or market the principal does not hold.
 */
export function authorize(): MiddlewareHandler<AppEnv> {
  return async function authorizeRoute(c, next) {
    const id = c.get("route");
    const rule = id === undefined ? undefined : COMPILED.find((r) => r.id === id);
    if (!rule) {
      const allowed = methodsOf(c.req.path);
      if (allowed.length > 0)
        throw new ProblemError(
          405,
          { code: "method-not-allowed", params: { method: c.req.method, path: c.req.path, allowed: allowed.join(", ") } },
          {},
          { allow: allowed.join(", ") },
        );
      throw new ProblemError(404, { code: "no-route", params: { method: c.req.method, path: c.req.path } });
    }
    const refusal = c.get("refusal");
    if (refusal) throw refusal;
    if (rule.roles === "public") return next();
    const principal = c.get("principal");
    if (!principal) throw new ProblemError(401, { code: "token-required" }, {}, { "www-authenticate": "Bearer" });
    const roles = rule.roles;
    if (!principal.roles.some((r) => roles.includes(r)))
      throw new ProblemError(403, {
        code: "role-forbidden",
        params: {
          route: `${rule.method} ${rule.path}${rule.query ? `?${rule.query}` : ""}`,
          allowed: roles.join(", "),
          held: principal.roles.join(", ") || "-",
        },
      });
    if (principal.routes && !principal.routes.includes(rule.id))
      throw new ProblemError(403, { code: "route-not-in-scope", params: { route: rule.id } });
    const market =
      rule.market === "path" ? c.get("routeParams")?.marketId : rule.market === "query" ? c.req.query("market") : undefined;
    if (market !== undefined && !allowsMarket(principal, market))
      throw new ProblemError(403, { code: "market-forbidden", params: { market } });
    return next();
  };
}

/** For handlers whose market comes from the body or the data: 403 unless the caller holds it. */
export function requireMarket(c: Context<AppEnv>, market: string): void {
  if (!allowsMarket(c.get("principal"), market)) throw new ProblemError(403, { code: "market-forbidden", params: { market } });
}
