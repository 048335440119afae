/**
 * Message text the history writer reads, parses and writes at a time. A batch may hold 100
 * messages of up to 100 KB. Parsed and turned into statements at once, such a batch (54,000
 * events) raised the writer's heap by 55 MiB at its peak; in slices of 2 MB, by 29 MiB, of which
 * the batch's own bodies are 10 (in slices of 0.5 MB: 23). Consumers run concurrently
 * (`max_concurrency`) and an isolate has 128 MB. A slice is still one large statement per table.
 */
export const SLICE_BYTES = 2_000_000;

/** The batch's messages in order, in runs of at most `SLICE_BYTES` characters of body (a larger message is a run of its own). */
export function slices<M extends { body: unknown }>(messages: readonly M[], limit = SLICE_BYTES): M[][] {
  const out: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const message of messages) {
    // A body from before bodies were text is small: counted as 1 KB rather than serialized to be measured.
    const size = typeof message.body === "string" ? message.body.length : 1024;
    if (current.length > 0 && bytes + size > limit) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
