import { systemStub } from "../../shared/contracts/objects";
import { type BreakerSettings, CircuitBreaker } from "../../shared/kit/breaker";
import { ExpiringMap } from "../../shared/kit/expiring-map";
import type { DependencyName } from "../../shared/platform/health";

/**
 * Every outside call of the edge goes through a circuit breaker: a dependency that keeps
 * failing is not called for a while (callers take their fallback at once instead of waiting on
 * timeouts), then probed with growing delays. Breakers live per isolate; their transitions are
 * reported to the system-mode object, which turns them into the system's mode. Zones have a
 * breaker per zone object and are reported per zone object (by name), so one failing zone is
 * seen as that zone.
 */

const SETTINGS: Record<DependencyName, BreakerSettings> = {
  postgres: { failureThreshold: 3, openMs: 2_000, maxOpenMs: 60_000 },
  redis: { failureThreshold: 3, openMs: 2_000, maxOpenMs: 60_000 },
  queue: { failureThreshold: 3, openMs: 2_000, maxOpenMs: 60_000 },
  // Per zone object: one failing zone must not stop the others.
  zones: { failureThreshold: 2, openMs: 1_000, maxOpenMs: 30_000 },
};

/** Per dependency and per zone object called; 10,000 covers the zones an isolate talks to, and no lifetime: state must outlive a quiet spell. */
const breakers = new ExpiringMap<string, CircuitBreaker>({ maxEntries: 10_000 });

export function breaker(dependency: DependencyName, key: string = dependency): CircuitBreaker {
  return breakers.getOrInsertComputed(`${dependency}:${key}`, () => new CircuitBreaker(SETTINGS[dependency]));
}

/** Thrown instead of calling a dependency whose breaker is open. */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: DependencyName,
    readonly retryAt: number,
  ) {
    super(`${dependency} is unavailable (circuit open)`);
  }
}

export interface Reporter {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Runs `work` through the dependency's breaker: refused at once while open; a failure counts
 * toward opening it; a transition is reported to the system-mode object.
 */
export async function guarded<T>(
  env: Env,
  ctx: Reporter,
  dependency: DependencyName,
  key: string,
  work: () => Promise<T>,
): Promise<T> {
  const b = breaker(dependency, key);
  const now = Date.now();
  if (!b.allow(now)) throw new DependencyUnavailable(dependency, b.snapshot().retryAt);
  const before = b.state;
  const started = Date.now();
  const which = dependency === "zones" ? { zone: key } : {};
  try {
    const result = await work();
    b.success(Date.now());
    if (before !== "closed") report(env, ctx, dependency, "ok", { latencyMs: Date.now() - started, ...which });
    return result;
  } catch (err) {
    b.failure(Date.now(), err);
    if (before !== "open" && b.state === "open")
      report(env, ctx, dependency, "failing", { error: String(err).slice(0, 300), ...which });
    throw err;
  }
}

/** Tells the system-mode object; `zone` (a zone object's name) when the report is about one zone. */
export function report(
  env: Env,
  ctx: Reporter,
  dependency: DependencyName,
  status: "ok" | "failing",
  detail: { latencyMs?: number; error?: string; zone?: string },
) {
  ctx.waitUntil(
    systemStub(env)
      .report(dependency, status, detail)
      .catch(() => undefined),
  );
}
