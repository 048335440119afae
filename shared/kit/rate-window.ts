import { ExpiringMap } from "./expiring-map";

/**
 * A pure, in-memory sliding-window rate limiter with bounded memory: the edge API's fallback
 * when Redis cannot answer (see `workers/api/rate-limit.ts`), one per isolate.
 *
 * Each key keeps a few counters, one per sub-bucket of the window (`resolution` of them), not
 * one timestamp per request. A request is admitted when the requests of every bucket that
 * overlaps the last `windowMs` — the oldest, partly overlapping bucket counted in full — are
 * fewer than the limit. Counting the partial bucket in full is what makes the guarantee exact:
 * no span of `windowMs` ever holds more than `requests` admitted requests. The price is that a
 * request goes on counting for up to one bucket (windowMs / resolution) after it left the window.
 *
 * Time is passed in (milliseconds), never read here: the caller owns the clock.
 */

export interface WindowLimit {
  /** Requests admitted in any span of `windowMs`; a positive integer. */
  requests: number;
  /** The window, in milliseconds; positive. */
  windowMs: number;
}

export interface WindowDecision {
  allowed: boolean;
  limit: number;
  /** Requests still admissible right now, after this one. */
  remaining: number;
  /**
   * Milliseconds from `now` until quota comes back: when refused, the earliest moment the same
   * request would be admitted (given no other requests); when admitted, when the oldest counted
   * request stops counting.
   */
  resetMs: number;
}

export interface SlidingWindowOptions {
  /** Keys remembered at most; beyond it the least recently used key is forgotten. */
  maxKeys: number;
  /** Sub-buckets per window (default 10): more is closer to the true window, and more memory per key. */
  resolution?: number;
}

interface Bucket {
  index: number;
  count: number;
}

interface Entry {
  /** The limit the buckets were counted under; a key seen with another limit starts over. */
  requests: number;
  windowMs: number;
  bucketMs: number;
  /** Oldest first. */
  buckets: Bucket[];
}

/**
 * Sliding-window counters per key, at most `maxKeys` keys and `resolution + 1` buckets per key.
 *
 * @example
 * const window = new SlidingWindow({ maxKeys: 10_000 });
 * const decision = window.hit("ingest:key:abc", { requests: 100, windowMs: 60_000 }, Date.now());
 * if (!decision.allowed) retryAfterSeconds = Math.ceil(decision.resetMs / 1000);
 */
export class SlidingWindow {
  readonly #resolution: number;
  /** At most `maxKeys`, the least recently touched forgotten first; no lifetime: an old entry's buckets simply expire. */
  readonly #entries: ExpiringMap<string, Entry>;

  constructor(options: SlidingWindowOptions) {
    if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1)
      throw new RangeError("SlidingWindow: maxKeys must be a positive integer");
    const resolution = options.resolution ?? 10;
    if (!Number.isInteger(resolution) || resolution < 1)
      throw new RangeError("SlidingWindow: resolution must be a positive integer");
    this.#entries = new ExpiringMap({ maxEntries: options.maxKeys });
    this.#resolution = resolution;
  }

  /** Admits or refuses one request of `key` at `now`; an admitted request is counted. */
  hit(key: string, limit: WindowLimit, now: number): WindowDecision {
    const entry = this.#touch(key, limit, now);
    const total = sum(entry.buckets);
    if (total >= limit.requests) {
      return { allowed: false, limit: limit.requests, remaining: 0, resetMs: this.#freedAt(entry, total, now) - now };
    }
    add(entry, now);
    return {
      allowed: true,
      limit: limit.requests,
      remaining: limit.requests - total - 1,
      resetMs: expiry(entry, (entry.buckets[0] as Bucket).index) - now,
    };
  }

  /** Whether one more request of `key` would be admitted at `now`, counting nothing. */
  peek(key: string, limit: WindowLimit, now: number): WindowDecision {
    const entry = this.#touch(key, limit, now);
    const total = sum(entry.buckets);
    if (total >= limit.requests) {
      return { allowed: false, limit: limit.requests, remaining: 0, resetMs: this.#freedAt(entry, total, now) - now };
    }
    const oldest = entry.buckets[0];
    return {
      allowed: true,
      limit: limit.requests,
      remaining: limit.requests - total,
      resetMs: oldest ? expiry(entry, oldest.index) - now : 0,
    };
  }

  /**
   * Counts a request that another authority (Redis) admitted, without checking the limit, so that
   * this window already knows the isolate's recent traffic when it has to take over.
   */
  record(key: string, limit: WindowLimit, now: number): void {
    add(this.#touch(key, limit, now), now);
  }

  /** Keys and buckets held: what bounds memory. */
  stats(): { keys: number; buckets: number } {
    let buckets = 0;
    for (const entry of this.#entries.values()) buckets += entry.buckets.length;
    return { keys: this.#entries.size, buckets };
  }

  /** The entry of `key`, made most recently used, its expired buckets dropped. */
  #touch(key: string, limit: WindowLimit, now: number): Entry {
    checkLimit(limit);
    let entry = this.#entries.get(key);
    if (!entry || entry.requests !== limit.requests || entry.windowMs !== limit.windowMs) {
      entry = {
        requests: limit.requests,
        windowMs: limit.windowMs,
        bucketMs: Math.ceil(limit.windowMs / this.#resolution),
        buckets: [],
      };
      this.#entries.set(key, entry);
    }
    // Every bucket from the one holding `now - windowMs` on counts (in full); older ones are gone.
    const first = Math.floor((now - entry.windowMs) / entry.bucketMs);
    let drop = 0;
    while (drop < entry.buckets.length && (entry.buckets[drop] as Bucket).index < first) drop++;
    if (drop > 0) entry.buckets.splice(0, drop);
    return entry;
  }

  /** When enough of the oldest buckets have expired for one more request to fit. */
  #freedAt(entry: Entry, total: number, now: number): number {
    let left = total;
    for (const bucket of entry.buckets) {
      left -= bucket.count;
      if (left < entry.requests) return expiry(entry, bucket.index);
    }
    // Unreachable while total >= requests > 0; a safe answer all the same.
    return now + entry.windowMs;
  }
}

function checkLimit(limit: WindowLimit): void {
  if (!Number.isInteger(limit.requests) || limit.requests < 1)
    throw new RangeError("SlidingWindow: requests must be a positive integer");
  if (!Number.isFinite(limit.windowMs) || limit.windowMs <= 0) throw new RangeError("SlidingWindow: windowMs must be positive");
}

function sum(buckets: Bucket[]): number {
  let total = 0;
  for (const bucket of buckets) total += bucket.count;
  return total;
}

/** The first moment bucket `index` no longer overlaps the window: `floor((t - windowMs) / bucketMs) > index`. */
function expiry(entry: Entry, index: number): number {
  return (index + 1) * entry.bucketMs + entry.windowMs;
}

function add(entry: Entry, now: number): void {
  const index = Math.floor(now / entry.bucketMs);
  const last = entry.buckets[entry.buckets.length - 1];
  // A clock that steps back counts into the newest bucket: it then counts longer, never shorter.
  if (last && last.index >= index) last.count++;
  else entry.buckets.push({ index, count: 1 });
}
