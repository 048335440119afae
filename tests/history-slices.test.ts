import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { SLICE_BYTES, slices } from "../workers/history/slices";

/** The history writer reads, parses and writes a batch in slices of bounded size (`workers/history/slices.ts`). */

const message = (body: unknown) => ({ body });

describe("slices of a batch", () => {
  test("keep every message once, in order; each slice within the limit unless it is one message", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 300 }), fc.constant({ type: "legacy" })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 2_000 }),
        (bodies, limit) => {
          const messages = bodies.map(message);
          const out = slices(messages, limit);
          expect(out.flat()).toEqual(messages);
          expect(out.flat().every((m, i) => m === messages[i])).toBe(true);
          for (const slice of out) {
            expect(slice.length).toBeGreaterThan(0);
            const size = slice.reduce((n, m) => n + (typeof m.body === "string" ? m.body.length : 1024), 0);
            if (slice.length > 1) expect(size).toBeLessThanOrEqual(limit);
          }
          // Greedy: a slice ends only where its next message would not have fitted.
          for (let i = 0; i + 1 < out.length; i++) {
            const slice = out[i] as Array<{ body: unknown }>;
            const next = out[i + 1]?.[0] as { body: unknown };
            const size = [...slice, next].reduce((n, m) => n + (typeof m.body === "string" ? m.body.length : 1024), 0);
            expect(size).toBeGreaterThan(limit);
          }
        },
      ),
    );
  });

  test("a full batch of 100 messages of 100 KB goes in slices of at most 2 MB", () => {
    const batch = Array.from({ length: 100 }, () => message("x".repeat(100_000)));
    const out = slices(batch);
    expect(SLICE_BYTES).toBe(2_000_000);
    expect(out.map((s) => s.length)).toEqual([20, 20, 20, 20, 20]);
  });

  test("a message larger than the limit is a slice of its own", () => {
    const out = slices([message("a"), message("b".repeat(50)), message("c")], 10);
    expect(out.map((s) => s.map((m) => String(m.body).length))).toEqual([[1], [50], [1]]);
  });
});
