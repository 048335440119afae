import { CircuitBreaker } from "../../shared/kit/breaker";

/**
 * One call to a Workers AI model as every adapter of the edge makes it: through a breaker (a
 * model that keeps failing is left alone for a while), within a deadline, and read by the caller's
 * reader (an answer it cannot read counts as a failure). Never throws: `undefined` means "no
 * answer now", and each adapter has its plain fallback. Workers AI has no local emulation, so
 * each adapter also has a deterministic fake that serves where the `AI` binding is absent.
 *
 * @example
 * const guard = modelGuard({ timeoutMs: 250 });
 * const text = await askModel(env.AI, "@cf/meta/m2m100-1.2b", { text, source_lang: "en", target_lang: "vi" }, readTranslation, guard);
 */

/** What an adapter needs of the `AI` binding (`Ai` from `wrangler types`): one call. */
export interface AiRunner {
  run(model: string, inputs: Record<string, unknown>): Promise<unknown>;
}

/** A breaker, a deadline and a clock: one per adapter and isolate, so failures are remembered across requests. */
export interface ModelGuard {
  readonly breaker: CircuitBreaker;
  readonly timeoutMs: number;
  readonly now: () => number;
}

export function modelGuard(options: { timeoutMs: number; now?: () => number; breaker?: CircuitBreaker }): ModelGuard {
  return {
    timeoutMs: options.timeoutMs,
    now: options.now ?? Date.now,
    breaker: options.breaker ?? new CircuitBreaker({ failureThreshold: 3, openMs: 10_000, maxOpenMs: 300_000 }),
  };
}

/** The model's answer as `read` makes it, or undefined: breaker open, failure, deadline passed, or an answer `read` refused. */
export async function askModel<T>(
  ai: AiRunner,
  model: string,
  inputs: Record<string, unknown>,
  read: (answer: unknown) => T | undefined,
  guard: ModelGuard,
): Promise<T | undefined> {
  if (!guard.breaker.allow(guard.now())) return undefined;
  try {
    const value = read(await withTimeout(ai.run(model, inputs), guard.timeoutMs));
    if (value === undefined) throw new Error(`${model} answered nothing usable`);
    guard.breaker.success(guard.now());
    return value;
  } catch (err) {
    guard.breaker.failure(guard.now(), err);
    return undefined;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
