import { describe, expect, test } from "bun:test";
import { GroupCommit } from "../shared/kit/group-commit";

/** A write that takes `ms` and records what it carried. */
function recordingWrite(ms: number) {
  const batches: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (items: number[]) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    batches.push([...items]);
    await Bun.sleep(ms);
    inFlight--;
    return items.length;
  };
  return { batches, write, maxInFlight: () => maxInFlight };
}

describe("group commit", () => {
  test("items kept in the same turn share a write", async () => {
    const g = new GroupCommit<number, number>(10);
    const w = recordingWrite(1);
    await Promise.all([g.keep(1, w.write), g.keep(2, w.write)]);
    expect(w.batches).toEqual([[1, 2]]);
  });

  test("a lone item is written at once, alone", async () => {
    const g = new GroupCommit<number, number>(10);
    const w = recordingWrite(1);
    expect(await g.keep(1, w.write)).toBe(1);
    expect(w.batches).toEqual([[1]]);
  });

  test("items kept while a write is in flight go out together in the next one, in order, never two writes at once", async () => {
    const g = new GroupCommit<number, number>(100);
    const w = recordingWrite(5);
    const first = g.keep(0, w.write);
    await Bun.sleep(1); // the first write has started
    const rest = Array.from({ length: 20 }, (_, i) => g.keep(i + 1, w.write));
    await Promise.all([first, ...rest]);
    expect(w.batches).toEqual([[0], Array.from({ length: 20 }, (_, i) => i + 1)]);
    expect(w.maxInFlight()).toBe(1);
    // Each caller hears the result of the write that carried its item.
    expect(await rest[7]).toBe(20);
  });

  test("a batch holds at most maxItems; every item is written exactly once", async () => {
    const g = new GroupCommit<number, number>(3);
    const w = recordingWrite(2);
    await Promise.all(Array.from({ length: 10 }, (_, i) => g.keep(i, w.write)));
    expect(w.batches.every((b) => b.length <= 3)).toBe(true);
    expect(w.batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  test("a failed write fails only its own batch; the next one is still written", async () => {
    const g = new GroupCommit<number>(100);
    let calls = 0;
    const write = async (items: number[]) => {
      calls++;
      await Bun.sleep(2);
      if (items.includes(0)) throw new Error("refused");
    };
    const failed = g.keep(0, write);
    await Bun.sleep(1);
    const next = g.keep(1, write);
    await expect(failed).rejects.toThrow("refused");
    await expect(next).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  test("maxItems below one is refused", () => {
    expect(() => new GroupCommit(0)).toThrow(RangeError);
  });
});
