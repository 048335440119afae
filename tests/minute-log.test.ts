import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { MinuteLog } from "../shared/pricing/minute-log";

describe("per-minute surge rows", () => {
  test("a zone ticking through three minutes yields one row per cell per minute, with the peak", () => {
    const log = new MinuteLog();
    const t0 = Date.UTC(2026, 10, 24, 8, 0, 0);
    const seen = [];
    for (let ms = 0; ms < 3 * 60_000; ms += 200) {
      const m = 1 + Math.floor(ms / 60_000) / 10 + (ms % 60_000 === 30_000 ? 0.5 : 0);
      log.observe("a", t0 + ms, { supply: 3, demand: 10, multiplier: m });
      seen.push(...log.take(t0 + ms));
    }
    expect(seen.map((r) => [r.minute - t0, r.multiplier, r.peakMultiplier])).toEqual([
      [0, 1, 1.5],
      [60_000, 1.1, 1.6],
    ]);
    const rest = log.take(t0 + 3 * 60_000, true);
    expect(rest.map((r) => [r.minute - t0, r.peakMultiplier])).toEqual([[120_000, 1.7]]);
    expect(log.size).toBe(0);
  });

  test("nothing observed is ever dropped: every (cell, minute) observed comes out exactly once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ cell: fc.constantFrom("a", "b", "c"), dt: fc.integer({ min: 0, max: 90_000 }) }), {
          maxLength: 200,
        }),
        (steps) => {
          const log = new MinuteLog();
          let now = 0;
          const observed = new Set<string>();
          const out: string[] = [];
          for (const s of steps) {
            now += s.dt;
            log.observe(s.cell, now, { supply: 1, demand: 1, multiplier: 1 });
            observed.add(`${s.cell}@${Math.floor(now / 60_000)}`);
            out.push(...log.take(now).map((r) => `${r.cell}@${r.minute / 60_000}`));
          }
          out.push(...log.take(now, true).map((r) => `${r.cell}@${r.minute / 60_000}`));
          expect(out.sort()).toEqual([...observed].sort());
        },
      ),
    );
  });
});
