/**
 * The platform's health from what is reported about it: the pure rules the system-mode object
 * (`durable-objects/system-mode.ts`) applies to its stored reports.
 *
 *   normal     every dependency answers
 *   degraded   a dependency is failing: pricing goes on, what needs it waits or is refused;
 *              (per market) one of the market's zone objects is failing: its cells price from
 *              their last known multiplier
 *   emergency  (per market) an operator declared one: a cap on multipliers in the market or some cells
 *
 * Zones are judged per object. The edge's breaker of each zone object reports that zone (by its
 * name, `<market>:<zone>`); the probes' canary reports whether zone objects can be reached at
 * all. A failing zone degrades its market and is listed by name; the "zones" dependency, and so
 * the system, fails only when the canary does or when at least `ZONES_FAILING_SHARE` of every
 * market's zones fail: the system is degraded in proportion, not by one zone.
 */

export type Mode = "normal" | "degraded" | "emergency";
export type DependencyName = "postgres" | "redis" | "queue" | "zones";
export const DEPENDENCIES: DependencyName[] = ["postgres", "redis", "queue", "zones"];

export interface DependencyHealth {
  status: "ok" | "failing" | "unknown";
  since: string | null;
  lastError: string | null;
  latencyMs: number | null;
  reportedAt: string | null;
}

/** The zones: the canary's health, failing when too large a share of zone objects fail, and which do. */
export interface ZonesHealth extends DependencyHealth {
  /** Zone objects failing now, by name, longest failing first; at most `LISTED_ZONES`. */
  failing: string[];
  /** The share of every market's zones that fail (0 to 1). */
  failingShare: number;
}

/** A zone object reported failing (and not since reported answering). */
export interface FailingZone {
  name: string;
  market: string;
  since: number;
  lastError: string | null;
}

/** At least this share of all zones failing is the zones failing, not a zone: the system is degraded. */
export const ZONES_FAILING_SHARE = 0.25;
/** Failing zones named at most (the share counts them all). */
export const LISTED_ZONES = 100;

/**
 * The zones' health: the canary's, unless at least `ZONES_FAILING_SHARE` of `zoneCount` zones
 * fail; and the markets that have a failing zone.
 *
 * @example
 * // One zone of five fails: listed, its market degraded, the zones (and the system) still ok.
 * zonesHealth(canaryOk, [{ name: "nyc:862a100d7ffffff", market: "nyc", since, lastError }], 5)
 * // → { health: { status: "ok", failing: ["nyc:862a100d7ffffff"], failingShare: 0.2, … }, markets: ["nyc"] }
 */
export function zonesHealth(
  canary: DependencyHealth,
  failing: readonly FailingZone[],
  zoneCount: number,
): { health: ZonesHealth; markets: string[] } {
  const ordered = [...failing].sort((a, b) => a.since - b.since || (a.name < b.name ? -1 : 1));
  // A count from before a market grew may be short of what fails: never a share above 1.
  const total = Math.max(zoneCount, ordered.length);
  const failingShare = total === 0 ? 0 : ordered.length / total;
  const first = ordered[0];
  const tooMany = first !== undefined && failingShare >= ZONES_FAILING_SHARE && canary.status !== "failing";
  const health: ZonesHealth = {
    ...canary,
    ...(tooMany
      ? {
          status: "failing" as const,
          since: new Date(first.since).toISOString(),
          lastError: `${ordered.length} of ${total} zone objects failing; the first: ${first.lastError ?? "no answer"}`,
        }
      : {}),
    failing: ordered.slice(0, LISTED_ZONES).map((z) => z.name),
    failingShare,
  };
  return { health, markets: [...new Set(ordered.map((z) => z.market))].sort() };
}

/**
 * The system's mode and each market's that differs from it: degraded when any dependency fails;
 * a market with a failing zone is degraded, one under an operator's emergency is in emergency.
 */
export function modes(
  dependencies: Record<DependencyName, DependencyHealth>,
  degradedMarkets: readonly string[],
  emergencyMarkets: readonly string[],
): { mode: Mode; markets: Record<string, Mode> } {
  const mode: Mode = Object.values(dependencies).some((d) => d.status === "failing") ? "degraded" : "normal";
  const markets: Record<string, Mode> = {};
  for (const market of degradedMarkets) markets[market] = "degraded";
  for (const market of emergencyMarkets) markets[market] = "emergency";
  return { mode, markets };
}

/**
 * What changed between two readings of the modes, for the failure log: the system's mode (or
 * the first reading), and each market whose own mode (its entry, else the system's) changed.
 */
export function modeChanges(
  before: { mode: Mode; markets: Record<string, Mode> } | undefined,
  after: { mode: Mode; markets: Record<string, Mode> },
): Array<{ subject: string; status: Mode }> {
  const changes: Array<{ subject: string; status: Mode }> = [];
  if (before?.mode !== after.mode) changes.push({ subject: "system", status: after.mode });
  if (!before) return changes;
  for (const id of [...new Set([...Object.keys(before.markets), ...Object.keys(after.markets)])].sort()) {
    const now = after.markets[id] ?? after.mode;
    if ((before.markets[id] ?? before.mode) !== now) changes.push({ subject: `market:${id}`, status: now });
  }
  return changes;
}
