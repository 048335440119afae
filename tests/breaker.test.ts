import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { CircuitBreaker } from "../shared/kit/breaker";

const settingsArb = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 6 }),
  openMs: fc.integer({ min: 10, max: 5_000 }),
  maxOpenMs: fc.integer({ min: 5_000, max: 120_000 }),
});
const outcomes = fc.array(
  fc.record({ dt: fc.integer({ min: 0, max: 20_000 }), ok: fc.boolean(), r: fc.double({ min: 0, max: 1, noNaN: true }) }),
  { maxLength: 200 },
);

describe("circuit breaker", () => {
  test("never lets a call through while open", () => {
    fc.assert(
      fc.property(settingsArb, outcomes, (settings, steps) => {
        let now = 0;
        const b = new CircuitBreaker(settings, () => 0.5);
        for (const s of steps) {
          now += s.dt;
          const before = b.snapshot();
          const allowed = b.allow(now);
          if (before.state === "open" && now < before.retryAt) expect(allowed).toBe(false);
          if (allowed) {
            if (s.ok) b.success(now);
            else b.failure(now, "down");
          }
        }
      }),
    );
  });

  test("opens after exactly failureThreshold failures in a row, not before", () => {
    fc.assert(
      fc.property(settingsArb, (settings) => {
        const b = new CircuitBreaker(settings);
        for (let i = 1; i < settings.failureThreshold; i++) {
          b.failure(0);
          expect(b.state).toBe("closed");
        }
        b.failure(0);
        expect(b.state).toBe("open");
      }),
    );
  });

  test("probes with growing delays: each failed probe waits at least as long as the one before (up to the cap), with jitter inside [ceiling/2, ceiling]", () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }),
        (settings, randoms) => {
          let i = 0;
          const b = new CircuitBreaker(settings, () => randoms[i++ % randoms.length] as number);
          let now = 0;
          for (let k = 0; k < settings.failureThreshold; k++) b.failure(now);
          const ceilings: number[] = [];
          for (let probe = 0; probe < 10; probe++) {
            const { retryAt } = b.snapshot();
            const ceiling = b.delayCeiling(probe);
            ceilings.push(ceiling);
            expect(retryAt - now).toBeGreaterThanOrEqual(ceiling / 2 - 1e-6); // float sums: now is a sum of delays
            expect(retryAt - now).toBeLessThanOrEqual(ceiling + 1e-6);
            expect(b.allow(retryAt - 1)).toBe(false);
            now = retryAt;
            expect(b.allow(now)).toBe(true); // the probe
            expect(b.allow(now)).toBe(false); // only one at a time
            b.failure(now);
          }
          for (let k = 1; k < ceilings.length; k++)
            expect(ceilings[k] as number).toBeGreaterThanOrEqual(ceilings[k - 1] as number);
          expect(Math.max(...ceilings)).toBeLessThanOrEqual(settings.maxOpenMs);
        },
      ),
    );
  });

  test("a successful probe closes it and resets the delays", () => {
    const b = new CircuitBreaker({ failureThreshold: 2, openMs: 100, maxOpenMs: 10_000 }, () => 1);
    b.failure(0);
    b.failure(0);
    expect(b.state).toBe("open");
    expect(b.allow(100)).toBe(true);
    b.failure(100, "still down");
    expect(b.snapshot().retryAt).toBe(300); // 100 + 200: doubled
    expect(b.snapshot().lastError).toBe("still down");
    expect(b.allow(300)).toBe(true);
    b.success(300);
    expect(b.state).toBe("closed");
    expect(b.snapshot().reopenings).toBe(0);
    b.failure(400);
    b.failure(400);
    expect(b.snapshot().retryAt).toBe(500); // back to the first delay
  });
});
