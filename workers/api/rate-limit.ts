import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import type { Context, Env as HonoEnv, MiddlewareHandler } from "hono";
import { CircuitBreaker } from "../../shared/kit/breaker";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import { SlidingWindow, type WindowLimit } from "../../shared/kit/rate-window";
import { answerHeaders } from "./answer-headers";
import type { AppEnv } from "./app";
import { problemResponse } from "./problem";

/**
 * Rate limits of the edge API: a sliding window per caller and route class, kept in Upstash Redis
 * (`@upstash/ratelimit`) so that every isolate in every location counts against one limit.
 *
 * **When Redis cannot answer** (unreachable, erroring, slower than `timeoutMs`, or not configured)
 * requests are limited by a per-isolate {@link SlidingWindow} applying the same limits. The
 * trade-off: each isolate counts on its own, so with N isolates serving one caller the effective
 * global limit is up to N× the configured one — looser, but never unlimited, and since the windows
 * start from what the isolate itself saw, never a wholesale refusal either. Every isolate also
 * records the requests Redis admitted, so a caller who used up its quota is still refused when
 * the isolate fails over. Degraded limiting is never silent: `X-RateLimit-Source: fallback` on the
 * response, and a warning in the logs at each failed attempt.
 *
 * After a failure Redis is left alone for a backoff (5 s, doubling to 60 s by default) instead of
 * costing every request a timeout; then one request probes it while the others keep using the
 * fallback, and a success brings everyone back to Redis.
 *
 * Headers on every limited response (IETF draft style): `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` (seconds until quota comes back), `RateLimit-Policy` (`100;w=60`) and
 * `X-RateLimit-Source: redis|fallback`; a refusal is a 429 problem with `Retry-After`.
 */

export const ROUTE_CLASSES = ["ingest", "quotes", "reads", "auth"] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

export interface RateLimitRule {
  /** Requests admitted per window; a positive integer. */
  requests: number;
  /** The sliding window, in whole seconds. */
  windowSeconds: number;
}

/** The Worker bindings read when no `redis` factory is given. */
export interface RateLimitBindings {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Namespaces the keys (tests run many platforms against one Redis); default "equilibrium:ratelimit". */
  RATE_LIMIT_PREFIX?: string;
}

/** Why a Redis attempt was given up: it answered too late, or it failed (refused, errored, misconfigured). */
export interface RedisFailure {
  reason: "timeout" | "error";
  error?: unknown;
  /** How long Redis is now left alone. */
  retryInMs: number;
}

export interface RateLimitOptions<E extends HonoEnv = AppEnv> extends WindowOptions<RouteClass, E> {
  /** The route class of a request, or null for routes that are not limited (health, docs). */
  classify(c: Context<E>): RouteClass | null;
  /** Who is calling, e.g. "key:<id>", "user:<sub>", "ip:<addr>"; never a secret (it becomes part of a Redis key). */
  identify(c: Context<E>): string;
}

/** The windows themselves, whatever counts in them: requests per route class, or failed sign-ins. */
export interface WindowOptions<C extends string, E extends HonoEnv = AppEnv> {
  limits: Record<C, RateLimitRule>;
  /** The Redis client for these bindings; by default one made from UPSTASH_REDIS_REST_URL / _TOKEN, undefined without them. */
  redis?: (env: E["Bindings"]) => Redis | undefined;
  /** Key prefix; by default RATE_LIMIT_PREFIX or "equilibrium:ratelimit". */
  prefix?: string;
  /** How long Redis may take before the fallback decides (default 500 ms). */
  timeoutMs?: number;
  /** Backoff after a Redis failure (default 5 s doubling to 60 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Keys the per-isolate fallback remembers at most (default 10,000; least recently used go first). */
  fallbackMaxKeys?: number;
  /** Told of each failed Redis attempt; by default a structured warning in the logs. */
  onRedisFailure?: (failure: RedisFailure) => void;
  /** The clock of the backoff and the fallback windows (tests); Redis windows always use real time. */
  clock?: () => number;
  /** The jitter of the backoff (tests pass a constant); the delay after n failures lies in [d/2, d], d = initialMs × 2^n up to maxMs. */
  random?: () => number;
}

/** Admitting ahead of Redis: the share of the last known remaining, the most, and for how long. */
const ADVANCE_SHARE = 0.1;
const MAX_ADVANCE = 50;
const ADVANCE_MAX_AGE_MS = 1_000;

const DEFAULT_PREFIX = "equilibrium:ratelimit";
/** Identities are key material: a client-controlled header must not make keys arbitrarily long. */
const MAX_IDENTITY_LENGTH = 200;
/** Redis targets remembered per isolate (bindings rarely change; this only bounds a surprise). */
const MAX_TARGETS = 16;

/** One Redis (and prefix): its limiters per class and whether it is currently trusted. */
interface Target<C extends string> {
  limiters: Record<C, Ratelimit>;
  /** Consecutive failed attempts; 0 while healthy. */
  /** Redis is left alone while this is open; after the delay one request probes it (shared/breaker.ts). */
  breaker: CircuitBreaker;
}

export interface Decision {
  allowed: boolean;
  remaining: number;
  /** Seconds until quota comes back; at least 1 on a refusal. */
  resetSeconds: number;
  source: "redis" | "fallback";
}

class RedisTimeout extends Error {}

/**
 * The rate-limiting middleware. Options are checked here, once, so a bad limit fails at startup.
 *
 * @example
 * app.use("*", rateLimit({
 *   classify: (c) => (c.req.path.startsWith("/v1/events") ? "ingest" : c.req.path.startsWith("/v1/") ? "reads" : null),
 *   identify: (c) => ipIdentity(c),
 *   limits: { ingest: { requests: 600, windowSeconds: 60 }, quotes: { requests: 120, windowSeconds: 60 },
 *             reads: { requests: 600, windowSeconds: 60 }, auth: { requests: 10, windowSeconds: 60 } },
 * }));
 */
export function rateLimit<E extends HonoEnv = AppEnv>(options: RateLimitOptions<E>): MiddlewareHandler<E> {
  const { classify, identify } = checkOptions(options);
  const windows = slidingWindows(ROUTE_CLASSES, options);

  return async function rateLimiter(c, next) {
    const routeClass = classify(c);
    if (routeClass === null) return next();
    const rule = windows.limits[routeClass];
    const identity = identify(c).slice(0, MAX_IDENTITY_LENGTH);
    const decision = await windows.decide(c.env, routeClass, identity);
    const headers: Record<string, string> = {
      "ratelimit-limit": String(rule.requests),
      "ratelimit-remaining": String(decision.remaining),
      "ratelimit-reset": String(decision.resetSeconds),
      "ratelimit-policy": `${rule.requests};w=${rule.windowSeconds}`,
      "x-ratelimit-source": decision.source,
    };
    if (!decision.allowed) {
      return problemResponse(
        c,
        429,
        {
          code: "rate-limited",
          params: { routeClass, limit: rule.requests, window: rule.windowSeconds, seconds: decision.resetSeconds },
        },
        { routeClass, limit: rule.requests, windowSeconds: rule.windowSeconds, retryAfterSeconds: decision.resetSeconds },
        { ...headers, "retry-after": String(decision.resetSeconds) },
      );
    }
    await next();
    answerHeaders(c, Object.entries(headers));
  };
}

/** Sliding windows per class and identity, in Redis with the per-isolate fallback: what `rateLimit` counts with. */
export interface SlidingWindows<C extends string, E extends HonoEnv = AppEnv> {
  readonly limits: Record<C, RateLimitRule>;
  /** Counts one for `identity` in `cls` if the window admits it. */
  decide(env: E["Bindings"], cls: C, identity: string): Promise<Decision>;
  /** Whether one more would be admitted, counting nothing. */
  peek(env: E["Bindings"], cls: C, identity: string): Promise<Decision>;
}

/**
 * The windows behind `rateLimit`, for counts that are not requests (failed sign-ins per account).
 *
 * @example
 * const signIns = slidingWindows(["signin"], { limits: { signin: { requests: 5, windowSeconds: 900 } } });
 * if (!(await signIns.peek(env, "signin", "email:a@b.c")).allowed) refuse();
 * if (wrongPassword) await signIns.decide(env, "signin", "email:a@b.c");
 */
export function slidingWindows<C extends string, E extends HonoEnv = AppEnv>(
  classes: readonly C[],
  options: WindowOptions<C, E>,
): SlidingWindows<C, E> {
  checkLimits(classes, options);
  // A copy: a caller changing its object later must not change limits already in force.
  const limits = Object.fromEntries(classes.map((rc) => [rc, { ...options.limits[rc] }])) as Record<C, RateLimitRule>;
  const timeoutMs = options.timeoutMs ?? 500;
  const backoff = options.backoff ?? { initialMs: 5_000, maxMs: 60_000 };
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const onRedisFailure = options.onRedisFailure ?? logRedisFailure;
  const fallback = new SlidingWindow({ maxKeys: options.fallbackMaxKeys ?? 10_000 });
  const windows = Object.fromEntries(
    classes.map((rc) => [rc, { requests: limits[rc].requests, windowMs: limits[rc].windowSeconds * 1000 }]),
  ) as Record<C, WindowLimit>;

  // By URL, token and prefix; no lifetime: a target's breaker state must last.
  const byConfig = new ExpiringMap<string, Target<C>>({ maxEntries: MAX_TARGETS });
  const byClient = new WeakMap<Redis, ExpiringMap<string, Target<C>>>();
  let warnedUnconfigured = false;

  const limitersFor = (redis: Redis, prefix: string): Record<C, Ratelimit> =>
    Object.fromEntries(
      classes.map((rc) => [
        rc,
        new Ratelimit({
          redis,
          limiter: Ratelimit.slidingWindow(limits[rc].requests, `${limits[rc].windowSeconds} s`),
          prefix: `${prefix}:${rc}`,
          // The library's cache of refused callers is an unbounded Map per isolate, and it would
          // answer for Redis without Redis; refusals are cheap enough to ask Redis about.
          ephemeralCache: false,
          analytics: false,
          enableTelemetry: false,
          // On timeout the library answers success:true with reason "timeout"; that is detected
          // below and means "ask the fallback", never "allow".
          timeout: timeoutMs,
        }),
      ]),
    ) as Record<C, Ratelimit>;

  const newTarget = (redis: Redis, prefix: string): Target<C> => ({
    limiters: limitersFor(redis, prefix),
    breaker: new CircuitBreaker({ failureThreshold: 1, openMs: backoff.initialMs, maxOpenMs: backoff.maxMs }, random),
  });

  const targetFor = (env: E["Bindings"]): Target<C> | undefined => {
    const bindings = readBindings(env);
    const prefix = options.prefix ?? bindings.RATE_LIMIT_PREFIX ?? DEFAULT_PREFIX;
    if (options.redis) {
      const client = options.redis(env);
      if (!client) return undefined;
      let perPrefix = byClient.get(client);
      if (!perPrefix) {
        perPrefix = new ExpiringMap({ maxEntries: MAX_TARGETS });
        byClient.set(client, perPrefix);
      }
      return perPrefix.getOrInsertComputed(prefix, () => newTarget(client, prefix));
    }
    const url = bindings.UPSTASH_REDIS_REST_URL;
    const token = bindings.UPSTASH_REDIS_REST_TOKEN;
    if (!url || !token) return undefined;
    return byConfig.getOrInsertComputed(`${url}\n${token}\n${prefix}`, () => {
      const client = new Redis({
        url,
        token,
        // A retry would only stretch the wait past the timeout; the fallback is the retry.
        retry: { retries: 0, backoff: () => 0 },
        // Aborts the HTTP call a little after the library's own timeout gave up on it, so a hung
        // request does not linger; a function, because a fixed signal would abort only once.
        signal: () => AbortSignal.timeout(timeoutMs * 2),
        enableTelemetry: false,
        enableAutoPipelining: false,
        readYourWrites: false,
      });
      return newTarget(client, prefix);
    });
  };

  /** Whether this request may ask Redis: not while its breaker is open; after the delay, one probe at a time. */
  const mayAsk = (target: Target<C>): boolean => target.breaker.allow(clock());

  const failed = (target: Target<C>, error: unknown): void => {
    const now = clock();
    // Concurrent requests that failed together are one failure: only the one that opens the breaker reports.
    const wasOpen = target.breaker.state === "open";
    target.breaker.failure(now, error);
    if (wasOpen) return;
    const retryInMs = Math.max(0, Math.round(target.breaker.snapshot().retryAt - now));
    onRedisFailure({ reason: error instanceof RedisTimeout ? "timeout" : "error", error, retryInMs });
  };

  /**
   * Admitting ahead: after Redis says R requests remain, this isolate admits up to
   * min(MAX_ADVANCE, R × ADVANCE_SHARE) more within ADVANCE_MAX_AGE_MS without asking, and adds
   * them to its next call (`rate`). Near the limit R is small and every request asks; far from it
   * most requests skip the round trip. Several isolates admitting ahead at once can overshoot by
   * at most that share each, once. An answer too old to admit on still holds what is owed (`stale`).
   */
  // As many callers as the fallback windows; an answer admits ahead for ADVANCE_MAX_AGE_MS.
  const advances = new ExpiringMap<string, { remaining: number; used: number; resetSeconds: number }>({
    maxEntries: options.fallbackMaxKeys ?? 10_000,
    ttlMs: ADVANCE_MAX_AGE_MS,
    clock,
  });

  const decide = async (env: E["Bindings"], routeClass: C, identity: string): Promise<Decision> => {
    const window = windows[routeClass];
    const localKey = `${routeClass}:${identity}`;
    const target = targetFor(env);
    if (!target && !warnedUnconfigured) {
      warnedUnconfigured = true;
      console.warn(JSON.stringify({ level: "warn", message: "rate limiting has no Redis configured: per-isolate limits only" }));
    }
    // Far from the limit, a few requests are admitted on the last answer and reported with the next call.
    const fresh = target ? advances.get(localKey) : undefined;
    if (fresh && fresh.used < Math.min(MAX_ADVANCE, Math.floor(fresh.remaining * ADVANCE_SHARE))) {
      fresh.used += 1;
      fallback.record(localKey, window, clock());
      return {
        allowed: true,
        remaining: Math.max(0, fresh.remaining - fresh.used),
        resetSeconds: fresh.resetSeconds,
        source: "redis",
      };
    }
    const ahead = fresh ?? (target ? advances.stale(localKey) : undefined);
    if (target && mayAsk(target)) {
      try {
        // Claim what this isolate owes before asking, so concurrent requests do not report it again.
        const owed = ahead ? ahead.used : 0;
        if (ahead) {
          ahead.used = 0;
          ahead.remaining = Math.max(0, ahead.remaining - owed);
        }
        const answer = await target.limiters[routeClass].limit(identity, owed > 0 ? { rate: owed + 1 } : undefined);
        if (answer.reason === "timeout") throw new RedisTimeout(`Redis did not answer within ${timeoutMs} ms`);
        if (!Number.isFinite(answer.remaining) || !Number.isFinite(answer.reset)) {
          throw new Error(`unexpected rate limit answer ${JSON.stringify(answer)}`);
        }
        target.breaker.success(clock());
        if (answer.success) fallback.record(localKey, window, clock());
        // The sliding window's reset is the end of the current fixed window: when the caller is
        // refused, a request then is admitted (earlier ones may be too), so it is an honest Retry-After.
        const seconds = Math.ceil((answer.reset - Date.now()) / 1000);
        if (owed > 0 && !answer.success) {
          // The owed requests were served already; near the limit nothing is admitted ahead any more.
          advances.delete(localKey);
        } else {
          advances.set(localKey, { remaining: Math.max(0, answer.remaining), used: 0, resetSeconds: Math.max(0, seconds) });
        }
        return {
          allowed: answer.success,
          remaining: Math.max(0, Math.min(answer.remaining, window.requests)),
          resetSeconds: answer.success ? Math.max(0, seconds) : Math.max(1, seconds),
          source: "redis",
        };
      } catch (error) {
        failed(target, error);
      }
    }
    const local = fallback.hit(localKey, window, clock());
    const seconds = Math.ceil(local.resetMs / 1000);
    return {
      allowed: local.allowed,
      remaining: local.remaining,
      resetSeconds: local.allowed ? Math.max(0, seconds) : Math.max(1, seconds),
      source: "fallback",
    };
  };

  const peek = async (env: E["Bindings"], cls: C, identity: string): Promise<Decision> => {
    const window = windows[cls];
    const target = targetFor(env);
    if (target && mayAsk(target)) {
      try {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const answer = await Promise.race([
          target.limiters[cls].getRemaining(identity),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new RedisTimeout(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]).finally(() => clearTimeout(timer));
        if (!Number.isFinite(answer.remaining) || !Number.isFinite(answer.reset)) {
          throw new Error(`unexpected rate limit answer ${JSON.stringify(answer)}`);
        }
        target.breaker.success(clock());
        const seconds = Math.ceil((answer.reset - Date.now()) / 1000);
        const allowed = answer.remaining > 0;
        return {
          allowed,
          remaining: Math.max(0, Math.min(answer.remaining, window.requests)),
          resetSeconds: allowed ? Math.max(0, seconds) : Math.max(1, seconds),
          source: "redis",
        };
      } catch (error) {
        failed(target, error);
      }
    }
    const local = fallback.peek(`${cls}:${identity}`, window, clock());
    const seconds = Math.ceil(local.resetMs / 1000);
    return {
      allowed: local.allowed,
      remaining: local.remaining,
      resetSeconds: local.allowed ? Math.max(0, seconds) : Math.max(1, seconds),
      source: "fallback",
    };
  };

  return {
    limits,
    decide: (env, cls, identity) => decide(env, cls, identity.slice(0, MAX_IDENTITY_LENGTH)),
    peek: (env, cls, identity) => peek(env, cls, identity.slice(0, MAX_IDENTITY_LENGTH)),
  };
}

/**
 * The caller's address as an identity: `cf-connecting-ip`, which Cloudflare's edge sets (and
 * overwrites) on every request, else "ip:unknown". Never `x-forwarded-for` or any other header a
 * client writes: an identity the caller picks is a limit the caller escapes.
 *
 * @example identify: (c) => (c.get("principal") ? `user:${c.get("principal")?.subject}` : ipIdentity(c))
 */
export function ipIdentity(c: Context): string {
  return `ip:${c.req.header("cf-connecting-ip")?.trim() || "unknown"}`;
}

function checkOptions<E extends HonoEnv>(options: RateLimitOptions<E>): RateLimitOptions<E> {
  if (typeof options.classify !== "function") throw new TypeError("rateLimit: classify must be a function");
  if (typeof options.identify !== "function") throw new TypeError("rateLimit: identify must be a function");
  return options;
}

function checkLimits<C extends string, E extends HonoEnv>(classes: readonly C[], options: WindowOptions<C, E>): void {
  for (const rc of classes) {
    const rule = options.limits?.[rc];
    if (!rule) throw new TypeError(`rateLimit: limits.${rc} is missing`);
    if (!Number.isInteger(rule.requests) || rule.requests < 1) {
      throw new RangeError(`rateLimit: limits.${rc}.requests must be a positive integer, not ${rule.requests}`);
    }
    if (!Number.isInteger(rule.windowSeconds) || rule.windowSeconds < 1) {
      throw new RangeError(`rateLimit: limits.${rc}.windowSeconds must be a positive whole number, not ${rule.windowSeconds}`);
    }
  }
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      throw new RangeError(`rateLimit: ${name} must be positive`);
  };
  positive("timeoutMs", options.timeoutMs);
  positive("backoff.initialMs", options.backoff?.initialMs ?? 1);
  positive("backoff.maxMs", options.backoff?.maxMs ?? 1);
  if (options.backoff && options.backoff.maxMs < options.backoff.initialMs) {
    throw new RangeError("rateLimit: backoff.maxMs must not be below backoff.initialMs");
  }
  if (options.fallbackMaxKeys !== undefined && !(Number.isInteger(options.fallbackMaxKeys) && options.fallbackMaxKeys >= 1)) {
    throw new RangeError("rateLimit: fallbackMaxKeys must be a positive integer");
  }
}

/** The rate-limit bindings of an env, whatever else it holds. */
function readBindings(env: unknown): RateLimitBindings {
  const read = (name: keyof RateLimitBindings): string | undefined => {
    const value = typeof env === "object" && env !== null ? (env as Record<string, unknown>)[name] : undefined;
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  return {
    UPSTASH_REDIS_REST_URL: read("UPSTASH_REDIS_REST_URL"),
    UPSTASH_REDIS_REST_TOKEN: read("UPSTASH_REDIS_REST_TOKEN"),
    RATE_LIMIT_PREFIX: read("RATE_LIMIT_PREFIX"),
  };
}

function logRedisFailure(failure: RedisFailure): void {
  console.warn(
    JSON.stringify({
      level: "warn",
      message: "rate limiting falls back to per-isolate windows",
      reason: failure.reason,
      // The client quotes the command, keys (caller identities) included: the logs get the cause only.
      error: String(failure.error)
        .replace(/, command was: [\s\S]*$/, "")
        .slice(0, 300),
      retryInMs: failure.retryInMs,
    }),
  );
}
