import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { MinHeap } from "../shared/kit/min-heap";

describe("the min-heap", () => {
  test("pops values in order of their keys, whatever order they were pushed in", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer(), fc.string())), fc.array(fc.boolean()), (items, pops) => {
        const heap = new MinHeap<string>();
        const model: Array<[number, string]> = [];
        let next = 0;
        for (const popNow of [...pops, ...items.map(() => false)]) {
          if (popNow && model.length > 0) {
            model.sort((a, b) => a[0] - b[0]);
            const key = heap.peekKey();
            expect(key).toBe(model[0]?.[0]);
            const value = heap.pop() as string;
            // Equal keys may come in any order: the popped value is one with the smallest key.
            const at = model.findIndex(([k, v]) => k === key && v === value);
            expect(at).toBeGreaterThanOrEqual(0);
            model.splice(at, 1);
          } else if (next < items.length) {
            const [k, v] = items[next++] as [number, string];
            heap.push(k, v);
            model.push([k, v]);
          }
          expect(heap.size).toBe(model.length);
        }
        const drained: number[] = [];
        for (let k = heap.peekKey(); k !== undefined; k = heap.peekKey()) {
          drained.push(k);
          heap.pop();
        }
        expect(drained).toEqual(model.map(([k]) => k).sort((a, b) => a - b));
        expect(heap.pop()).toBeUndefined();
      }),
    );
  });
});
