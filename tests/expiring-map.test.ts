import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ExpiringMap } from "../shared/kit/expiring-map";

/** A hand-driven clock. */
function clock(start = 0) {
  const c = { now: start, read: () => c.now };
  return c;
}

/**
 * The reference the map is checked against: entries as a list, least recently used first,
 * scanned in full on every step (obviously right, too slow for use).
 */
class Model {
  entries: Array<{ key: number; value: number; expiresAt: number }> = [];
  constructor(
    readonly max: number,
    readonly ttl: number,
  ) {}
  #find(key: number) {
    return this.entries.findIndex((e) => e.key === key);
  }
  get(key: number, now: number) {
    const i = this.#find(key);
    const e = this.entries[i];
    if (!e || e.expiresAt <= now) return undefined;
    this.entries.splice(i, 1);
    this.entries.push(e);
    return e.value;
  }
  has(key: number, now: number) {
    const e = this.entries[this.#find(key)];
    return e !== undefined && e.expiresAt > now;
  }
  stale(key: number) {
    return this.entries[this.#find(key)]?.value;
  }
  set(key: number, value: number, now: number, ttl = this.ttl) {
    this.delete(key);
    this.entries.push({ key, value, expiresAt: now + ttl });
    if (this.entries.length > this.max) this.entries.shift();
  }
  delete(key: number) {
    const i = this.#find(key);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
  prune(now: number) {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.expiresAt > now);
    return before - this.entries.length;
  }
}

const key = fc.integer({ min: 0, max: 12 });
const op = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key, value: fc.integer(), ttl: fc.option(fc.integer({ min: -5, max: 200 })) }),
  fc.record({ kind: fc.constant("get" as const), key }),
  fc.record({ kind: fc.constant("has" as const), key }),
  fc.record({ kind: fc.constant("stale" as const), key }),
  fc.record({ kind: fc.constant("compute" as const), key, value: fc.integer() }),
  fc.record({ kind: fc.constant("delete" as const), key }),
  fc.record({ kind: fc.constant("prune" as const) }),
  fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 120 }) }),
);

describe("ExpiringMap", () => {
  test("behaves as the reference under any sequence of uses, and never holds more than its bound", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }),
        fc.array(op, { maxLength: 120 }),
        (maxEntries, ttlMs, ops) => {
          const t = clock(1_000);
          const map = new ExpiringMap<number, number>({ maxEntries, ttlMs, clock: t.read });
          const model = new Model(maxEntries, ttlMs ?? Number.POSITIVE_INFINITY);
          for (const o of ops) {
            switch (o.kind) {
              case "set":
                if (o.ttl === null) {
                  map.set(o.key, o.value);
                  model.set(o.key, o.value, t.now);
                } else {
                  map.set(o.key, o.value, o.ttl);
                  model.set(o.key, o.value, t.now, o.ttl);
                }
                break;
              case "get":
                expect(map.get(o.key)).toBe(model.get(o.key, t.now));
                break;
              case "has":
                expect(map.has(o.key)).toBe(model.has(o.key, t.now));
                break;
              case "stale":
                expect(map.stale(o.key)).toBe(model.stale(o.key));
                break;
              case "compute": {
                const expected = model.has(o.key, t.now) ? model.get(o.key, t.now) : o.value;
                if (!model.has(o.key, t.now)) model.set(o.key, o.value, t.now);
                expect(map.getOrInsertComputed(o.key, () => o.value)).toBe(expected as number);
                break;
              }
              case "delete":
                expect(map.delete(o.key)).toBe(model.delete(o.key));
                break;
              case "prune":
                expect(map.prune()).toBe(model.prune(t.now));
                break;
              case "wait":
                t.now += o.ms;
                break;
            }
            expect(map.size).toBeLessThanOrEqual(maxEntries);
            expect(map.size).toBe(model.entries.length);
            expect([...map.values()]).toEqual(model.entries.map((e) => e.value));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("a key that keeps being read outlives keys added after it: eviction is by last use, not by age", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 1, max: 200 }), (maxEntries, newcomers) => {
        const map = new ExpiringMap<string, number>({ maxEntries });
        map.set("hot", 1);
        for (let i = 0; i < newcomers; i++) {
          map.set(`k${i}`, i);
          expect(map.get("hot")).toBe(1);
        }
        expect(map.size).toBe(Math.min(maxEntries, newcomers + 1));
        // The oldest newcomer still held is the one maxEntries - 1 back; every earlier one is gone.
        const firstKept = Math.max(0, newcomers - (maxEntries - 1));
        if (firstKept > 0) expect(map.has(`k${firstKept - 1}`)).toBe(false);
        expect(map.has(`k${firstKept}`)).toBe(true);
      }),
    );
  });

  test("a cached reading is served for its lifetime, then only as a stale fallback, and a new reading replaces it", () => {
    const t = clock();
    const readings = new ExpiringMap<string, number>({ maxEntries: 100, ttlMs: 5 * 60_000, clock: t.read });
    readings.set("8a2a100d2c67fff", 1.7);
    t.now += 5 * 60_000 - 1;
    expect(readings.get("8a2a100d2c67fff")).toBe(1.7);
    t.now += 1;
    expect(readings.get("8a2a100d2c67fff")).toBeUndefined();
    expect(readings.has("8a2a100d2c67fff")).toBe(false);
    expect(readings.stale("8a2a100d2c67fff")).toBe(1.7);
    readings.set("8a2a100d2c67fff", 1.2);
    expect(readings.get("8a2a100d2c67fff")).toBe(1.2);
    expect(readings.prune()).toBe(0);
  });

  test("an entry's own lifetime overrides the map's: a token is good until it expires, not longer", () => {
    const t = clock();
    const verified = new ExpiringMap<string, string>({ maxEntries: 10, clock: t.read });
    verified.set("short", "rider", 1_000);
    verified.set("forever", "admin");
    t.now += 1_000;
    expect(verified.get("short")).toBeUndefined();
    expect(verified.get("forever")).toBe("admin");
    expect(verified.prune()).toBe(1);
    expect(verified.stale("short")).toBeUndefined();
  });

  test("getOrInsertComputed computes once while the entry is good, and again after it expired", () => {
    const t = clock();
    const map = new ExpiringMap<string, number>({ maxEntries: 4, ttlMs: 100, clock: t.read });
    let computed = 0;
    const make = () => ++computed;
    expect(map.getOrInsertComputed("a", make)).toBe(1);
    expect(map.getOrInsertComputed("a", make)).toBe(1);
    t.now += 100;
    expect(map.getOrInsertComputed("a", make)).toBe(2);
    expect(computed).toBe(2);
  });

  test("a map without lifetimes never reads the clock: a formatter or breaker cache stays pure", () => {
    const formatters = new ExpiringMap<string, number>({
      maxEntries: 2,
      clock: () => {
        throw new Error("the clock was read");
      },
    });
    formatters.set("en-US\u0000USD", 1).set("vi-VN\u0000VND", 2).set("en-GB\u0000GBP", 3);
    expect(formatters.get("vi-VN\u0000VND")).toBe(2);
    expect(formatters.has("en-US\u0000USD")).toBe(false);
    expect(formatters.getOrInsertComputed("fr-FR\u0000EUR", () => 4)).toBe(4);
    expect(formatters.prune()).toBe(0);
    expect([...formatters.values()]).toEqual([2, 4]);
  });

  test("refuses a bound that is not a positive integer, and a lifetime that is not a number", () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) expect(() => new ExpiringMap({ maxEntries })).toThrow(RangeError);
    expect(() => new ExpiringMap({ maxEntries: 1, ttlMs: Number.NaN })).toThrow(RangeError);
    expect(() => new ExpiringMap({ maxEntries: 1 }).set("a", 1, Number.NaN)).toThrow(RangeError);
  });
});
