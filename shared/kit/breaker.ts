import { backoffCeiling, backoffMs } from "./backoff";
/**
 * A circuit breaker, as a pure state machine (the caller passes the time and a random source).
 *
 *   closed ──(failureThreshold failures in a row)──▶ open
 *   open ──(after the open delay)──▶ half-open: one probe call is let through
 *   half-open ──probe succeeds──▶ closed        half-open ──probe fails──▶ open, delay doubled
 *
 * The open delay grows exponentially from `openMs` to `maxOpenMs` with each failed probe, with
 * "equal jitter" (half fixed, half random) so isolates that failed together do not all probe
 * together. While open, nothing calls through.
 */

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerSettings {
  failureThreshold: number;
  openMs: number;
  maxOpenMs: number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** Failed probes since the breaker last closed: the exponent of the delay. */
  reopenings: number;
  retryAt: number;
  lastError: string | undefined;
  lastChange: number;
}

export class CircuitBreaker {
  #state: BreakerState = "closed";
  #failures = 0;
  #reopenings = 0;
  #retryAt = 0;
  #probing = false;
  #lastError: string | undefined;
  #lastChange = 0;

  constructor(
    readonly settings: BreakerSettings,
    private readonly random: () => number = Math.random,
  ) {
    if (settings.failureThreshold < 1 || settings.openMs <= 0 || settings.maxOpenMs < settings.openMs) {
      throw new RangeError("breaker: failureThreshold ≥ 1 and 0 < openMs ≤ maxOpenMs");
    }
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** May a call go through now? In half-open, only one probe at a time. */
  allow(now: number): boolean {
    if (this.#state === "closed") return true;
    if (this.#state === "open") {
      if (now < this.#retryAt) return false;
      this.#transition("half-open", now);
    }
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  success(now: number): void {
    this.#probing = false;
    this.#failures = 0;
    this.#reopenings = 0;
    this.#lastError = undefined;
    if (this.#state !== "closed") this.#transition("closed", now);
  }

  failure(now: number, error?: unknown): void {
    this.#probing = false;
    this.#failures += 1;
    this.#lastError = error === undefined ? this.#lastError : String(error).slice(0, 300);
    if (this.#state === "half-open") {
      this.#reopenings += 1;
      this.#open(now);
    } else if (this.#state === "closed" && this.#failures >= this.settings.failureThreshold) {
      this.#open(now);
    }
  }

  /** The delay before the next probe after `reopenings` failed probes (without jitter: the ceiling). */
  delayCeiling(reopenings: number): number {
    return backoffCeiling(reopenings, { initialMs: this.settings.openMs, maxMs: this.settings.maxOpenMs });
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.#state,
      consecutiveFailures: this.#failures,
      reopenings: this.#reopenings,
      retryAt: this.#retryAt,
      lastError: this.#lastError,
      lastChange: this.#lastChange,
    };
  }

  #open(now: number): void {
    this.#retryAt =
      now + backoffMs(this.#reopenings, { initialMs: this.settings.openMs, maxMs: this.settings.maxOpenMs }, this.random);
    this.#transition("open", now);
  }

  #transition(state: BreakerState, now: number): void {
    this.#state = state;
    this.#lastChange = now;
  }
}
