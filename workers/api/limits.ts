import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app";
import { ipIdentity, type RateLimitRule, type RouteClass, rateLimit } from "./rate-limit";

/**
 * The API's rate limits: per principal (or per IP without one) and per route class. The
 * defaults suit production; `RATE_LIMITS` (JSON, e.g. `{"quotes":{"requests":1200,"windowSeconds":60}}`)
 * overrides any class per environment.
 */
export const DEFAULT_LIMITS: Record<RouteClass, RateLimitRule> = {
  // An ingest batch holds up to 1,000 events: 1,200 batches a minute is 20,000 events/s per key.
  ingest: { requests: 1200, windowSeconds: 60 },
  quotes: { requests: 600, windowSeconds: 60 },
  reads: { requests: 1200, windowSeconds: 60 },
  // Sign-in attempts: few, to slow password guessing.
  auth: { requests: 20, windowSeconds: 60 },
};

function routeClass(route: string | undefined): RouteClass | null {
  if (!route) return "reads"; // unmatched paths (404 probing) count too, per IP
  if (route.startsWith("health.") || route.startsWith("docs.") || route === "keys.jwks") return null;
  if (route.startsWith("auth.")) return "auth";
  if (route.startsWith("events.")) return "ingest";
  if (route.startsWith("quotes.")) return "quotes";
  return "reads";
}

const limiters = new Map<string, MiddlewareHandler<AppEnv>>();

function limiterFor(setting: string): MiddlewareHandler<AppEnv> {
  let limiter = limiters.get(setting);
  if (!limiter) {
    const overrides = setting ? (JSON.parse(setting) as Partial<Record<RouteClass, RateLimitRule>>) : {};
    limiter = rateLimit({
      classify: (c) => routeClass(c.get("route")),
      identify: (c) => {
        const p = c.get("principal");
        return p ? `sub:${p.subject}` : ipIdentity(c);
      },
      limits: { ...DEFAULT_LIMITS, ...overrides },
    });
    limiters.set(setting, limiter);
  }
  return limiter;
}

/** Rate limiting after authentication (so a principal is limited as itself, not by its IP). */
export function limits(): MiddlewareHandler<AppEnv> {
  return async function limitsForEnvironment(c, next) {
    return limiterFor(c.env.RATE_LIMITS ?? "")(c, next);
  };
}
