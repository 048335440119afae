import type { DependencyName } from "../../durable-objects/system-mode";
import { type BreakerSettings, CircuitBreaker } from "../../shared/breaker";
import { systemStub } from "../../shared/objects";

/**
 * Every outside call of the edge goes through a circuit breaker: a dependency that keeps
 * failing is not called for a while (callers take their fallback at once instead of waiting on
 * timeouts), then probed with growing delays. Breakers live per isolate; their transitions are
 * reported to the system-mode object, which turns them into the system's mode.
 */

const SETTINGS: Record<DependencyName, BreakerSettings> = {
  postgres: { failureThreshold: 3, openMs: 2_000, maxOpenMs: 60_000 },
  redis: { failureThreshold: 3, openMs: 2_000, maxOpenMs: 60_000 },
  queue: { failureThreshold: 3, openMs: 2_000, maxOpenMs: 60_000 },
  // Per zone object: one failing zone must not stop the others.
  zones: { failureThreshold: 2, openMs: 1_000, maxOpenMs: 30_000 },
};

const breakers = new Map<string, CircuitBreaker>();

export function breaker(dependency: DependencyName, key: string = dependency): CircuitBreaker {
  const id = `${dependency}:${key}`;
  let b = breakers.get(id);
  if (!b) {
    b = new CircuitBreaker(SETTINGS[dependency]);
    breakers.set(id, b);
  }
  return b;
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
  try {
    const result = await work();
    b.success(Date.now());
    if (before !== "closed") report(env, ctx, dependency, "ok", { latencyMs: Date.now() - started });
    return result;
  } catch (err) {
    b.failure(Date.now(), err);
    if (before !== "open" && b.state === "open") report(env, ctx, dependency, "failing", { error: String(err).slice(0, 300) });
    throw err;
  }
}

export function report(
  env: Env,
  ctx: Reporter,
  dependency: DependencyName,
  status: "ok" | "failing",
  detail: { latencyMs?: number; error?: string },
) {
  ctx.waitUntil(
    systemStub(env)
      .report(dependency, status, detail)
      .catch(() => undefined),
  );
}
