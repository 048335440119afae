import { and, eq, gt, isNull } from "drizzle-orm";
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

export async function insertRefreshToken(db: PoolDatabase, row: typeof refreshTokens.$inferInsert): Promise<void> {
  await db.insert(refreshTokens).values(row);
}

/** Uses a refresh token once: revokes it and returns its user, or undefined if it was not live. */
export async function spendRefreshToken(db: PoolDatabase, id: string, secretHash: string): Promise<string | undefined> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(refreshTokens.id, id),
        eq(refreshTokens.secretHash, secretHash),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, new Date()),
      ),
    )
    .returning({ userId: refreshTokens.userId });
  return rows[0]?.userId;
}

export async function revokeRefreshToken(db: PoolDatabase, id: string, secretHash: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.id, id), eq(refreshTokens.secretHash, secretHash)));
}
