import type { RequestCount } from "../../shared/contracts/history";

/**
 * Request counts per minute, route, mode and outcome, with latency in buckets, gathered per
 * isolate and sent to history every `FLUSH_MS` (the performance and failure report reads
 * them). Counting is in memory and cheap; sending is off the request's path.
 */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 60_000];
const FLUSH_MS = 10_000;

// Counts, not a cache (nothing may be evicted): bounded by its keys — the router's route names ×
// modes × outcomes × buckets, per minute — and emptied every FLUSH_MS.
let counts = new Map<string, RequestCount>();
let lastFlush = Date.now();

export function recordRequest(route: string, mode: string, status: number, ms: number, now = Date.now()): void {
  const minute = Math.floor(now / 60_000) * 60_000;
  const outcome = status >= 500 ? "server_error" : status >= 400 ? "client_error" : "ok";
  const bucketMs = LATENCY_BUCKETS_MS.find((b) => ms <= b) ?? 60_000;
  const key = `${minute}|${route}|${mode}|${outcome}|${bucketMs}`;
  const c = counts.get(key);
  if (c) c.count += 1;
  else counts.set(key, { minute, route, mode, outcome, bucketMs, count: 1 });
}

/** The counts gathered since the last flush, if it is time to send them (and then forgets them). */
export function takeDue(now = Date.now(), force = false): RequestCount[] | undefined {
  if (!force && now - lastFlush < FLUSH_MS) return undefined;
  if (counts.size === 0) return undefined;
  const out = [...counts.values()];
  counts = new Map();
  lastFlush = now;
  return out;
}

/** The latency below which a share `q` of the requests fall, from bucket counts (the bucket's upper bound). */
export function percentile(buckets: ReadonlyArray<{ bucketMs: number; count: number }>, q: number): number | null {
  const sorted = [...buckets].sort((a, b) => a.bucketMs - b.bucketMs);
  const total = sorted.reduce((s, b) => s + b.count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const b of sorted) {
    seen += b.count;
    if (seen >= q * total) return b.bucketMs;
  }
  return sorted[sorted.length - 1]?.bucketMs ?? null;
}
