/**
 * What an operator of a market should be told now, pure: the share of its cells held at the cap,
 * the platform running degraded or the market under an emergency cap, history piling up in its
 * zones' outboxes, an experiment its guardrail stopped. Each alert names its catalogue message
 * (`alert.<kind>`) and that message's values; the route renders it in the reader's language.
 */

export type AlertKind = "cap" | "degraded" | "emergency" | "backlog" | "guardrail";

export interface Alert {
  kind: AlertKind;
  severity: "warning" | "critical";
  params: Record<string, string | number>;
}

export interface AlertInputs {
  /** Every pricing cell of the market, and how many show the cap that binds them now. */
  cells: { total: number; atCap: number };
  cap: number;
  /** The system's mode and the market's own (an operator's emergency). */
  mode: "normal" | "degraded" | "emergency";
  emergency?: { cap: number; until: string; reason: string };
  /** The market's zones' outboxes: rows not yet confirmed in Postgres, the oldest one's age. */
  backlog: { pending: number; oldestAgeMs: number | null; status: "ok" | "backed-up" | "full"; unreachable: number };
  /** Experiments of the market stopped by a guardrail lately. */
  guardrailStops: Array<{ experiment: string; reason: string; at: string }>;
}

/** A quarter of the market's cells at the cap is a warning; three quarters, critical. */
export const CAP_SHARE_WARNING = 0.25;
export const CAP_SHARE_CRITICAL = 0.75;
/** History older than this still unconfirmed: the writer or Postgres is behind. */
export const BACKLOG_WARNING_MS = 60_000;
export const BACKLOG_CRITICAL_MS = 10 * 60_000;

/**
 * The alerts, most severe first.
 *
 * @example marketAlerts({ cells: { total: 54, atCap: 54 }, cap: 3, mode: "normal", backlog: …, guardrailStops: [] })
 * // [{ kind: "cap", severity: "critical", params: { atCap: 54, total: 54, cap: 3, percent: 100 } }]
 */
export function marketAlerts(inputs: AlertInputs): Alert[] {
  const alerts: Alert[] = [];
  const { cells, backlog } = inputs;
  const share = cells.total > 0 ? cells.atCap / cells.total : 0;
  if (share >= CAP_SHARE_WARNING)
    alerts.push({
      kind: "cap",
      severity: share >= CAP_SHARE_CRITICAL ? "critical" : "warning",
      params: { atCap: cells.atCap, total: cells.total, cap: inputs.cap, percent: Math.round(share * 100) },
    });
  if (inputs.mode === "degraded") alerts.push({ kind: "degraded", severity: "warning", params: {} });
  if (inputs.emergency)
    alerts.push({
      kind: "emergency",
      severity: "critical",
      params: { cap: inputs.emergency.cap, until: inputs.emergency.until, reason: inputs.emergency.reason },
    });
  const age = backlog.oldestAgeMs ?? 0;
  if (backlog.status !== "ok" || age >= BACKLOG_WARNING_MS || backlog.unreachable > 0)
    alerts.push({
      kind: "backlog",
      severity: backlog.status === "full" || age >= BACKLOG_CRITICAL_MS ? "critical" : "warning",
      params: { pending: backlog.pending, minutes: Math.round(age / 60_000), unreachable: backlog.unreachable },
    });
  for (const stop of inputs.guardrailStops)
    alerts.push({
      kind: "guardrail",
      severity: "warning",
      params: { experiment: stop.experiment, reason: stop.reason, at: stop.at },
    });
  const rank = { critical: 0, warning: 1 };
  return alerts.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
