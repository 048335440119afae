/**
 * Group commit: items kept by many callers at once go out together, one write per batch, and
 * each caller's promise settles when the write that carried its item has. Items kept in the same
 * turn share a write; while one write is in flight the next batch gathers, and it leaves the
 * moment the first is done (no timer, so a lone item waits for nothing). At most `maxItems` a
 * batch.
 *
 * The write of a batch is started by the caller who opened it (after the previous write
 * settles), so it runs while that caller is still waiting for it — on Workers an I/O started on
 * behalf of a request that has already answered may be cancelled.
 *
 * @example
 * const records = new GroupCommit<string>(100);
 * await Promise.all(["a", "b", "c"].map((r) => records.keep(r, (batch) => store(batch)))); // one or two store() calls
 */
export class GroupCommit<T, R = void> {
  readonly #maxItems: number;
  #open: { items: T[]; done: Promise<R> } | undefined;
  #last: Promise<unknown> = Promise.resolve();

  constructor(maxItems: number) {
    if (!(maxItems >= 1)) throw new RangeError("maxItems must be at least 1");
    this.#maxItems = maxItems;
  }

  /** Keeps `item` in the open batch (or opens one), settling as the write of that batch does. */
  keep(item: T, write: (items: T[]) => Promise<R>): Promise<R> {
    const open = this.#open;
    if (open && open.items.length < this.#maxItems) {
      open.items.push(item);
      return open.done;
    }
    const previous = this.#last;
    const batch: { items: T[]; done: Promise<R> } = { items: [item], done: Promise.resolve() as Promise<R> };
    batch.done = (async () => {
      await previous;
      // From here on the batch is closed: later items open the next one.
      if (this.#open === batch) this.#open = undefined;
      return write(batch.items);
    })();
    this.#open = batch;
    this.#last = batch.done.catch(() => undefined);
    return batch.done;
  }
}
