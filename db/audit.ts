import type { AuditEntry } from "../shared/contracts/history";
import type { PoolDatabase } from "./client";
import { auditRow } from "./history";
import { auditLog } from "./schema";

/**
 * Runs a change and records it in the audit log in one transaction: the change is never
 * stored without its entry, nor the entry without the change. `done` says whether the change
 * happened (a revocation of a key that is already revoked changes nothing and is not audited).
 */
export async function withAudit<T>(
  db: PoolDatabase,
  entry: AuditEntry,
  change: (tx: PoolDatabase) => Promise<T>,
  done: (result: T) => boolean = () => true,
): Promise<T> {
  return db.transaction(async (tx) => {
    const result = await change(tx as unknown as PoolDatabase);
    if (done(result)) await tx.insert(auditLog).values(auditRow(entry));
    return result;
  });
}
