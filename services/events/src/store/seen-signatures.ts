import type { Kysely } from "kysely";
import type { EventsTables } from "./tables.ts";

/**
 * Remembers a served request's signature until `expiresAt`; false when it was already served (a
 * replay). Run in the transaction that publishes the request's events: a request that fails
 * leaves no trace, and two copies sent at once wait for each other on the key.
 */
export async function rememberSignature(
  db: Kysely<EventsTables>,
  signature: string,
  expiresAt: Date,
): Promise<boolean> {
  const inserted = await db
    .insertInto("seen_signatures")
    .values({ signature, expires_at: expiresAt })
    .onConflict((conflict) => conflict.column("signature").doNothing())
    .returning("signature")
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Forgets signatures whose requests are too old to be accepted again anyway. */
export async function forgetExpiredSignatures(db: Kysely<EventsTables>, now: Date): Promise<number> {
  const result = await db.deleteFrom("seen_signatures").where("expires_at", "<", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
