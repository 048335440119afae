import type { SystemSnapshot } from "../../durable-objects/system-mode";
import { systemStub } from "../../shared/objects";

/**
 * The system's mode as this isolate knows it: read from the system-mode object at most every
 * `TTL_MS`, so it costs nothing per request. An isolate that changes the mode (an override)
 * forgets its copy at once.
 */
const TTL_MS = 2_000;

let cached: { at: number; snapshot: SystemSnapshot } | undefined;

export async function systemSnapshot(env: Env): Promise<SystemSnapshot | undefined> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.snapshot;
  // Not shared between requests: another request's I/O may not be awaited here.
  try {
    const snapshot = await systemStub(env).snapshot();
    cached = { at: Date.now(), snapshot };
    return snapshot;
  } catch {
    // The mode object itself unreachable: keep the last copy (or none); pricing does not wait for it.
    return cached?.snapshot;
  }
}

export function forgetSystem(): void {
  cached = undefined;
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
  return cached?.snapshot.mode ?? "normal";
}
