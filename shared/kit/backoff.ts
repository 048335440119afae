/**
 * The one retry policy: exponential backoff with jitter. After `failures` failures in a row the
 * ceiling is `initialMs × 2^failures`, at most `maxMs`, and the delay is drawn from
 * [ceiling/2, ceiling] so that many retrying callers spread out. The circuit breaker, the
 * outbox and the history writer all use it.
 *
 * @example
 * backoffCeiling(3, { initialMs: 250, maxMs: 30_000 }) // 2000
 * backoffMs(3, { initialMs: 250, maxMs: 30_000 })      // between 1000 and 2000
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffCeiling(failures: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(0, failures), 30));
}

export function backoffMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(failures, policy);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
