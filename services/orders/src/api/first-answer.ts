import { HttpProblem } from "@mercato/platform";
import type { Kysely } from "kysely";
import type { z } from "zod";
import { findStoredResponse } from "../store/idempotency-keys.ts";
import type { OrdersTables } from "../store/tables.ts";

/**
 * The answer first given to this user's `key`, for a replay of the same request; undefined when
 * the key is new. A key that answered another request is a 409 problem.
 */
export async function firstAnswer<T extends z.ZodType>(
  db: Kysely<OrdersTables>,
  request: { userId: string; key: string; hash: string },
  schema: T,
): Promise<z.output<T> | undefined> {
  const stored = await findStoredResponse(db, request.userId, request.key);
  if (!stored) return undefined;
  if (stored.requestHash !== request.hash) {
    throw HttpProblem.conflict(
      "This Idempotency-Key was already used for a different request; use a new key for a new request",
    );
  }
  return schema.parse(stored.body);
}
