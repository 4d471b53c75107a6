import type { Kysely } from "kysely";
import type { OrdersTables, Writer } from "./tables.ts";

export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  body: unknown;
}

export async function findStoredResponse(
  db: Kysely<OrdersTables>,
  userId: string,
  key: string,
): Promise<StoredResponse | undefined> {
  const row = await db
    .selectFrom("idempotency_keys")
    .select(["request_hash", "status_code", "response"])
    .where("user_id", "=", userId)
    .where("key", "=", key)
    .executeTakeFirst();
  return row && { requestHash: row.request_hash, statusCode: row.status_code, body: row.response };
}

/**
 * Keeps the first answer to a key, in the transaction that did the work. False when another
 * request with the same key committed first: the caller rolls back and answers like that one.
 */
export async function storeResponse(
  transaction: Writer,
  userId: string,
  key: string,
  response: StoredResponse,
): Promise<boolean> {
  const inserted = await transaction
    .insertInto("idempotency_keys")
    .values({
      user_id: userId,
      key,
      request_hash: response.requestHash,
      status_code: response.statusCode,
      response: JSON.stringify(response.body),
    })
    .onConflict((conflict) => conflict.columns(["user_id", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Forgets the keys answered before `before`: a client retries within minutes, not days. */
export async function forgetKeysAnsweredBefore(db: Kysely<OrdersTables>, before: Date): Promise<number> {
  const result = await db.deleteFrom("idempotency_keys").where("created_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
