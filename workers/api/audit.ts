import type { Context } from "hono";
import { type Actor, type AuditEntry, auditEntry } from "../../shared/contracts/history";
import type { AppEnv } from "./app";

/** Who is acting, for the audit log: the verified principal and the request. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = c.get("principal");
  return { subject: p?.subject ?? "unknown", roles: p?.roles ?? [], requestId: c.get("requestId") ?? null };
}

/**
 * An audit entry for an operator's or admin's action in this request. Changes stored in Postgres
 * write it in the same transaction (`auditRow` in db/history.ts); changes an object holds send it
 * through the object's outbox.
 */
export function audited(
  c: Context<AppEnv>,
  action: string,
  target: string,
  market: string | null,
  detail: Record<string, unknown> = {},
): AuditEntry {
  return auditEntry(actorOf(c), { action, target, market, detail }, crypto.randomUUID(), Date.now());
}
