/**
 * A binary min-heap of values by a numeric key: push and pop in O(log n), the smallest key
 * first. Used for expiry by time when items arrive out of order (a driver's report stamped
 * earlier than the one before it).
 *
 * @example
 * const h = new MinHeap<string>();
 * h.push(30, "c"); h.push(10, "a"); h.push(20, "b");
 * h.peekKey(); // 10
 * h.pop();     // "a"
 */
export class MinHeap<T> {
  readonly #keys: number[] = [];
  readonly #values: T[] = [];

  get size(): number {
    return this.#keys.length;
  }

  push(key: number, value: T): void {
    const keys = this.#keys;
    const values = this.#values;
    let i = keys.length;
    keys.push(key);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((keys[parent] as number) <= key) break;
      keys[i] = keys[parent] as number;
      values[i] = values[parent] as T;
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }

  /** The smallest key, or undefined when empty. */
  peekKey(): number | undefined {
    return this.#keys[0];
  }

  /** Removes and returns the value with the smallest key. */
  pop(): T | undefined {
    const keys = this.#keys;
    const values = this.#values;
    if (keys.length === 0) return undefined;
    const top = values[0];
    const lastKey = keys.pop() as number;
    const lastValue = values.pop() as T;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && (keys[right] as number) < (keys[left] as number) ? right : left;
        if ((keys[child] as number) >= lastKey) break;
        keys[i] = keys[child] as number;
        values[i] = values[child] as T;
        i = child;
      }
      keys[i] = lastKey;
      values[i] = lastValue;
    }
    return top;
  }
}
