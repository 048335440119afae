import type { MiddlewareHandler } from "hono";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import type { AppEnv } from "./app";
import { sha256 } from "./auth/secrets";
import { ProblemError } from "./problem";
import {
  type Decision,
  ipIdentity,
  type RateLimitRule,
  type RouteClass,
  rateLimit,
  type SlidingWindows,
  slidingWindows,
} from "./rate-limit";

/**
 * The API's rate limits: per verified principal (or, without one, per the address Cloudflare's
 * edge reports) and per route class. Requests whose token was refused count too, against their
 * address: authentication runs before the limits but refuses only after them. The defaults suit
 * production; `RATE_LIMITS` (JSON, e.g. `{"quotes":{"requests":1200,"windowSeconds":60}}`)
 * overrides any class per environment, and `signin` (failed sign-ins per account).
 */
export const DEFAULT_LIMITS: Record<RouteClass, RateLimitRule> = {
  // An ingest batch holds up to 1,000 events: 1,200 batches a minute is 20,000 events/s per key.
  ingest: { requests: 1200, windowSeconds: 60 },
  quotes: { requests: 600, windowSeconds: 60 },
  reads: { requests: 1200, windowSeconds: 60 },
  // Sign-in attempts: few, to slow password guessing.
  auth: { requests: 20, windowSeconds: 60 },
};

/** Failed password sign-ins per account, wherever they come from: then the account waits. */
export const SIGN_IN_FAILURES: RateLimitRule = { requests: 5, windowSeconds: 15 * 60 };

/** The rate-limit class of a route (by its access rule id), or null for routes not limited. */
export function routeClass(route: string | undefined): RouteClass | null {
  if (!route) return "reads"; // unmatched paths (404 probing) count too, per IP
  if (route === "health.ready.deep") return "reads"; // it calls every dependency
  if (route.startsWith("health.") || route.startsWith("docs.") || route === "keys.jwks") return null;
  if (route.startsWith("auth.")) return "auth";
  if (route.startsWith("events.")) return "ingest";
  if (route.startsWith("quotes.")) return "quotes";
  return "reads";
}

// By RATE_LIMITS value: one per deployment; 4 leaves room for a change of it without growing.
const limiters = new ExpiringMap<string, MiddlewareHandler<AppEnv>>({ maxEntries: 4 });
const signIns = new ExpiringMap<string, SlidingWindows<"signin">>({ maxEntries: 4 });

function overridesOf(setting: string): Partial<Record<RouteClass | "signin", RateLimitRule>> {
  return setting ? (JSON.parse(setting) as Partial<Record<RouteClass | "signin", RateLimitRule>>) : {};
}

function limiterFor(setting: string): MiddlewareHandler<AppEnv> {
  return limiters.getOrInsertComputed(setting, () => {
    const { signin: _signin, ...overrides } = overridesOf(setting);
    return rateLimit({
      classify: (c) => routeClass(c.get("route")),
      identify: (c) => {
        const p = c.get("principal");
        return p ? `sub:${p.subject}` : ipIdentity(c);
      },
      limits: { ...DEFAULT_LIMITS, ...overrides },
    });
  });
}

/** Rate limiting after authentication (so a principal is limited as itself, not by its IP). */
export function limits(): MiddlewareHandler<AppEnv> {
  return async function limitsForEnvironment(c, next) {
    return limiterFor(c.env.RATE_LIMITS ?? "")(c, next);
  };
}

/**
 * Per-account sign-in throttling: after `SIGN_IN_FAILURES` failed attempts for one email the
 * account answers 429 (with Retry-After) until the window lets one go, before any password is
 * checked, so guessing is slowed whatever addresses the guesses come from.
 */
export const signInThrottle = {
  /** Refuses with 429 if the account has used up its failures. */
  async check(env: Env, email: string): Promise<void> {
    const decision = await signInWindows(env).peek(env, "signin", await accountKey(email));
    if (!decision.allowed) throw tooManyFailures(decision);
  },
  /** Counts one failed attempt. */
  async failed(env: Env, email: string): Promise<void> {
    await signInWindows(env).decide(env, "signin", await accountKey(email));
  },
};

function signInWindows(env: Env): SlidingWindows<"signin"> {
  const setting = env.RATE_LIMITS ?? "";
  return signIns.getOrInsertComputed(setting, () =>
    slidingWindows(["signin"] as const, { limits: { signin: overridesOf(setting).signin ?? SIGN_IN_FAILURES } }),
  );
}

/** Emails are case-insensitive here as everywhere; hashed so no address becomes a Redis key. */
async function accountKey(email: string): Promise<string> {
  return `account:${(await sha256(email.trim().toLowerCase())).slice(0, 32)}`;
}

function tooManyFailures(decision: Decision): ProblemError {
  return new ProblemError(
    429,
    { code: "sign-in-locked", params: { seconds: decision.resetSeconds } },
    { error: "too_many_attempts", retryAfterSeconds: decision.resetSeconds },
    { "retry-after": String(decision.resetSeconds) },
  );
}
