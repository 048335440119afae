import type { SystemSnapshot } from "../../durable-objects/system-mode";
import { SYSTEM_NAME, systemStub } from "../../shared/contracts/objects";
import { ExpiringMap } from "../../shared/kit/expiring-map";

/**
 * The system's mode as this isolate knows it: read from the system-mode object at most every
 * 2 s, so it costs nothing per request. An isolate that changes the mode (an override) forgets
 * its copy at once. One entry (one system); after 2 s its stale copy serves only while the
 * object cannot answer.
 */
const copies = new ExpiringMap<string, SystemSnapshot>({ maxEntries: 1, ttlMs: 2_000 });

export async function systemSnapshot(env: Env): Promise<SystemSnapshot | undefined> {
  const fresh = copies.get(SYSTEM_NAME);
  if (fresh) return fresh;
  // Not shared between requests: another request's I/O may not be awaited here.
  try {
    const snapshot = await systemStub(env).snapshot();
    copies.set(SYSTEM_NAME, snapshot);
    return snapshot;
  } catch {
    // The mode object itself unreachable: keep the last copy (or none); pricing does not wait for it.
    return copies.stale(SYSTEM_NAME);
  }
}

export function forgetSystem(): void {
  copies.clear();
}

/** The emergency cap an operator set on a cell (or its whole market), if one is live. */
export function overrideCap(
  snapshot: SystemSnapshot | undefined,
  market: string,
  cell: string,
  now = Date.now(),
): number | undefined {
  let cap: number | undefined;
  for (const o of snapshot?.overrides ?? []) {
    if (o.market !== market || Date.parse(o.until) <= now) continue;
    if (o.cells !== null && !o.cells.includes(cell)) continue;
    cap = cap === undefined ? o.cap : Math.min(cap, o.cap);
  }
  return cap;
}

/** The mode this isolate last saw (no wait): what request metrics are filed under. */
export function currentMode(): string {
  return copies.stale(SYSTEM_NAME)?.mode ?? "normal";
}
