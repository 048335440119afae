import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { PoolDatabase } from "./client";
import { apiKeys, refreshTokens, users } from "./schema";

/** Identity records: users who sign in, partners' API keys, refresh tokens. Secrets are hashed by the caller. */

export type UserRow = typeof users.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function findUserByEmail(db: PoolDatabase, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.email, email.toLowerCase()), isNull(users.disabledAt)));
  return row;
}

export async function findUser(db: PoolDatabase, id: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, id), isNull(users.disabledAt)));
  return row;
}

export async function insertUser(db: PoolDatabase, row: typeof users.$inferInsert): Promise<boolean> {
  const inserted = await db.insert(users).values(row).onConflictDoNothing().returning({ id: users.id });
  return inserted.length > 0;
}

export async function insertApiKey(db: PoolDatabase, row: typeof apiKeys.$inferInsert): Promise<void> {
  await db.insert(apiKeys).values(row);
}

export async function findApiKey(db: PoolDatabase, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
  return row;
}

export async function listApiKeys(db: PoolDatabase): Promise<Omit<ApiKeyRow, "secretHash">[]> {
  const rows = await db.select().from(apiKeys).orderBy(apiKeys.createdAt);
  return rows.map(({ secretHash: _hidden, ...rest }) => rest);
}

export async function revokeApiKey(db: PoolDatabase, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** Accepts a TOTP code's time step once: only a step later than the last accepted one, atomically. */
export async function acceptTotpStep(db: PoolDatabase, userId: string, step: number): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id });
  return rows.length > 0;
}

/** Disables a user (they can no longer sign in) and revokes every refresh token they hold. */
export async function disableUser(db: PoolDatabase, id: string): Promise<boolean> {
  const now = new Date();
  const rows = await db
    .update(users)
    .set({ disabledAt: now })
    .where(and(eq(users.id, id), isNull(users.disabledAt)))
    .returning({ id: users.id });
  if (rows.length === 0) return false;
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.userId, id), isNull(refreshTokens.revokedAt)));
  return true;
}

export interface NewRefreshToken {
  id: string;
  secretHash: string;
  userId: string;
  expiresAt: Date;
}

/** A sign-in's first refresh token: it starts a family named after itself. */
export async function insertRefreshToken(db: PoolDatabase, row: NewRefreshToken): Promise<void> {
  await db.insert(refreshTokens).values({ ...row, family: row.id });
}

/** What presenting a refresh token did. */
export type Rotation =
  | { outcome: "rotated"; userId: string; family: string }
  /** It had been rotated already: stolen or replayed. Its whole family is now revoked. */
  | { outcome: "reused"; userId: string; family: string }
  | { outcome: "refused" };

/**
 * Uses a refresh token once: marks it rotated and issues `next` in its family, in one
 * transaction. A token that was already rotated revokes its whole family (RFC 9700 §4.14.2:
 * one of the two holders is a thief, and the server cannot tell which).
 */
export async function rotateRefreshToken(
  db: PoolDatabase,
  id: string,
  secretHash: string,
  next: Omit<NewRefreshToken, "userId">,
): Promise<Rotation> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const [spent] = await tx
      .update(refreshTokens)
      .set({ rotatedAt: now })
      .where(
        and(
          eq(refreshTokens.id, id),
          eq(refreshTokens.secretHash, secretHash),
          isNull(refreshTokens.rotatedAt),
          isNull(refreshTokens.revokedAt),
          gt(refreshTokens.expiresAt, now),
        ),
      )
      .returning({ userId: refreshTokens.userId, family: refreshTokens.family });
    if (spent) {
      await tx.insert(refreshTokens).values({ ...next, userId: spent.userId, family: spent.family });
      return { outcome: "rotated", ...spent };
    }
    const [known] = await tx
      .select({ userId: refreshTokens.userId, family: refreshTokens.family, rotatedAt: refreshTokens.rotatedAt })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.id, id), eq(refreshTokens.secretHash, secretHash)));
    if (!known?.rotatedAt) return { outcome: "refused" };
    await tx
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.family, known.family), isNull(refreshTokens.revokedAt)));
    return { outcome: "reused", userId: known.userId, family: known.family };
  });
}

/** Signs out: revokes the token's whole family; returns it (and its user) if the token was ours. */
export async function revokeRefreshFamily(
  db: PoolDatabase,
  id: string,
  secretHash: string,
): Promise<{ userId: string; family: string } | undefined> {
  const [known] = await db
    .select({ userId: refreshTokens.userId, family: refreshTokens.family })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.id, id), eq(refreshTokens.secretHash, secretHash)));
  if (!known) return undefined;
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.family, known.family), isNull(refreshTokens.revokedAt)));
  return known;
}
