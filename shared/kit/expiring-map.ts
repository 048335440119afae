/**
 * A map with a bound and a lifetime: what every per-isolate cache of the edge keeps its entries
 * in, so each states its size and how long an entry is good for where it is declared.
 *
 *  - **Bounded**: at most `maxEntries`, always. Adding beyond it forgets the least recently used
 *    entry; `get` (and `getOrInsertComputed`) counts as a use, `stale` does not.
 *  - **Expiring**: an entry is good for `ttlMs` after it was set (per map, or per entry at `set`;
 *    none means until it is forgotten). `get` and `has` never return an expired entry. It is
 *    still held until it is replaced, deleted, pruned or evicted, so a caller whose source of
 *    truth cannot answer may fall back on it explicitly with `stale`.
 *
 * The clock is injected (`clock`, default `Date.now`): tests drive time by hand.
 *
 * @example
 * // Tokens verified by this isolate, each until it expires; 10,000 at most.
 * const verified = new ExpiringMap<string, Principal>({ maxEntries: 10_000 });
 * verified.set(token, principal, exp * 1000 - Date.now());
 * verified.get(token); // the principal, or undefined once expired or forgotten
 */

export interface ExpiringMapOptions {
  /** Entries held at most; a positive integer. */
  maxEntries: number;
  /** How long an entry is good for after `set`, in ms; omitted: until it is forgotten. */
  ttlMs?: number;
  /** The time in ms (default `Date.now`). */
  clock?: () => number;
}

/** No key: what `#newest` holds before the first use and after its key goes. */
const NONE: unique symbol = Symbol("none");

interface Slot<V> {
  value: V;
  /** When the entry stops being good (ms); Infinity for never. */
  expiresAt: number;
}

export class ExpiringMap<K, V> {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly #clock: () => number;
  /** Insertion order is recency order: a used entry moves to the end, the first one goes first. */
  readonly #slots = new Map<K, Slot<V>>();
  /**
   * The key at the end (the most recently used), or `NONE`. Using it again changes no order, so it
   * is not moved: a move deletes and re-adds the key, and a Map's table, which keeps a hole for
   * each deletion until it is rebuilt, would be rebuilt (a new allocation that outlives young
   * collections) every few hundred uses of a map that holds only a handful of keys.
   */
  #newest: K | typeof NONE = NONE;

  constructor(options: ExpiringMapOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
      throw new RangeError(`ExpiringMap: maxEntries must be a positive integer, not ${options.maxEntries}`);
    checkTtl(options.ttlMs);
    this.maxEntries = options.maxEntries;
    this.ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
    this.#clock = options.clock ?? Date.now;
  }

  /** Entries held, expired ones included until they go; never more than `maxEntries`. */
  get size(): number {
    return this.#slots.size;
  }

  /** The value of `key` if it has not expired, which makes it the most recently used. */
  get(key: K): V | undefined {
    const slot = this.#slots.get(key);
    if (!slot || this.#expired(slot)) return undefined;
    if (key !== this.#newest) {
      this.#slots.delete(key);
      this.#slots.set(key, slot);
      this.#newest = key;
    }
    return slot.value;
  }

  /** Whether `key` holds a value that has not expired (not a use). */
  has(key: K): boolean {
    const slot = this.#slots.get(key);
    return slot !== undefined && !this.#expired(slot);
  }

  /**
   * The value of `key` even if it has expired, as long as it is held (not a use): the last known
   * value, for when the source cannot be asked.
   */
  stale(key: K): V | undefined {
    return this.#slots.get(key)?.value;
  }

  /** Sets `key`, good for `ttlMs` (default the map's) from now; forgets the least recently used beyond the bound. */
  set(key: K, value: V, ttlMs: number = this.ttlMs): this {
    checkTtl(ttlMs);
    // Without a lifetime the clock is not read: a map without one is as pure as a Map.
    const expiresAt = ttlMs === Number.POSITIVE_INFINITY ? ttlMs : this.#clock() + ttlMs;
    const newest = key === this.#newest ? this.#slots.get(key) : undefined;
    if (newest) {
      newest.value = value;
      newest.expiresAt = expiresAt;
      return this;
    }
    this.#slots.delete(key);
    this.#slots.set(key, { value, expiresAt });
    this.#newest = key;
    if (this.#slots.size > this.maxEntries) this.#slots.delete(this.#slots.keys().next().value as K);
    return this;
  }

  /**
   * The value of `key` if good, else `compute(key)` set with the map's lifetime (as the proposed
   * `Map.prototype.getOrInsertComputed`).
   */
  getOrInsertComputed(key: K, compute: (key: K) => V): V {
    if (this.has(key)) return this.get(key) as V;
    const value = compute(key);
    this.set(key, value);
    return value;
  }

  /** Every value held, expired ones included, least recently used first (not a use): for accounting. */
  *values(): IterableIterator<V> {
    for (const slot of this.#slots.values()) yield slot.value;
  }

  delete(key: K): boolean {
    if (key === this.#newest) this.#newest = NONE;
    return this.#slots.delete(key);
  }

  clear(): void {
    this.#slots.clear();
    this.#newest = NONE;
  }

  /** Drops every expired entry now (otherwise they go when replaced or evicted); returns how many. */
  prune(): number {
    let dropped = 0;
    for (const [key, slot] of this.#slots) {
      if (this.#expired(slot)) {
        this.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  #expired(slot: Slot<V>): boolean {
    return slot.expiresAt !== Number.POSITIVE_INFINITY && slot.expiresAt <= this.#clock();
  }
}

function checkTtl(ttlMs: number | undefined): void {
  // A lifetime of 0 or less is allowed (the entry is born expired: only `stale` sees it); NaN is not.
  if (ttlMs !== undefined && Number.isNaN(ttlMs)) throw new RangeError("ExpiringMap: ttlMs must be a number");
}
