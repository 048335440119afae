import type { Context } from "hono";
import type { Actor } from "../../durable-objects/system-mode";
import type { AuditEntry } from "../../shared/history";
import type { AppEnv } from "./app";

/** Who is acting, for the audit log: the verified principal and the request. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = c.get("principal");
  return { subject: p?.subject ?? "unknown", roles: p?.roles ?? [], requestId: c.get("requestId") ?? null };
}

/**
 * An audit entry for an operator's or admin's action. Changes stored in Postgres write it in the
 * same transaction (`auditRow` in db/history.ts); changes held by an object send it through the
 * object's outbox.
 */
export function auditEntry(
  c: Context<AppEnv>,
  action: string,
  target: string,
  market: string | null,
  detail: Record<string, unknown> = {},
): AuditEntry {
  const actor = actorOf(c);
  return {
    id: crypto.randomUUID(),
    at: Date.now(),
    actor: actor.subject,
    roles: actor.roles,
    action,
    target,
    market,
    requestId: actor.requestId,
    detail,
  };
}
