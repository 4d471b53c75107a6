import type { Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { hashRefreshToken, newRefreshToken, refreshTokenLifetimeMs } from "../domain/refresh-token.ts";
import type { IdentityTables } from "./tables.ts";

async function issueInFamily(db: Kysely<IdentityTables>, familyId: string, now: Date): Promise<string> {
  const token = newRefreshToken();
  await db
    .insertInto("refresh_tokens")
    .values({
      token_hash: hashRefreshToken(token),
      family_id: familyId,
      expires_at: new Date(now.getTime() + refreshTokenLifetimeMs),
      used_at: null,
    })
    .execute();
  return token;
}

/** A sign-in: a new family and its first refresh token. */
export async function startRefreshFamily(db: Kysely<IdentityTables>, userId: string, now = new Date()) {
  const familyId = uuidv7();
  await db
    .insertInto("refresh_token_families")
    .values({ id: familyId, user_id: userId, revoked_at: null })
    .execute();
  return issueInFamily(db, familyId, now);
}

export type Rotation =
  | { outcome: "rotated"; userId: string; refreshToken: string }
  | { outcome: "unknown" | "revoked" | "expired" | "reused" };

/**
 * Spends a refresh token for a new one of the same family. A token that was already spent means
 * that two parties hold the family (one of them stole it): the whole family is revoked, and that
 * revocation commits even though the caller is refused.
 */
export function rotateRefreshToken(
  db: Kysely<IdentityTables>,
  token: string,
  now = new Date(),
): Promise<Rotation> {
  const tokenHash = hashRefreshToken(token);
  return db.transaction().execute(async (transaction): Promise<Rotation> => {
    const found = await transaction
      .selectFrom("refresh_tokens")
      .innerJoin("refresh_token_families", "refresh_token_families.id", "refresh_tokens.family_id")
      .select([
        "refresh_tokens.family_id",
        "refresh_tokens.expires_at",
        "refresh_token_families.user_id",
        "refresh_token_families.revoked_at",
      ])
      .where("refresh_tokens.token_hash", "=", tokenHash)
      .executeTakeFirst();
    if (!found) return { outcome: "unknown" };
    if (found.revoked_at) return { outcome: "revoked" };
    if (found.expires_at.getTime() <= now.getTime()) return { outcome: "expired" };
    // Conditional, so that of two concurrent uses only one spends the token; the other is a reuse.
    const spent = await transaction
      .updateTable("refresh_tokens")
      .set({ used_at: now })
      .where("token_hash", "=", tokenHash)
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) === 0) {
      await transaction
        .updateTable("refresh_token_families")
        .set({ revoked_at: now })
        .where("id", "=", found.family_id)
        .execute();
      return { outcome: "reused" };
    }
    const refreshToken = await issueInFamily(transaction, found.family_id, now);
    return { outcome: "rotated", userId: found.user_id, refreshToken };
  });
}

/**
 * Deletes the families whose every token has expired (with their tokens). Spent tokens are kept
 * until then, because reuse can only be recognised while the spent token is still on record.
 */
export async function pruneExpiredRefreshFamilies(
  db: Kysely<IdentityTables>,
  now = new Date(),
): Promise<number> {
  const deleted = await db
    .deleteFrom("refresh_token_families")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("refresh_tokens")
            .select("refresh_tokens.token_hash")
            .whereRef("refresh_tokens.family_id", "=", "refresh_token_families.id")
            .where("refresh_tokens.expires_at", ">", now),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
