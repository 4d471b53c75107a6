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

/**
 * Answers a request that may carry an Idempotency-Key once: a replay gets the first answer
 * without running `work`; a copy that fails because a copy with the same key committed meanwhile
 * (it took the key, or what the request needed) gets that copy's answer instead of the error.
 */
export async function answerOnce<T extends z.ZodType>(
  db: Kysely<OrdersTables>,
  request: { userId: string; key: string | undefined; hash: string },
  schema: T,
  work: () => Promise<z.output<T>>,
): Promise<z.output<T>> {
  const { key } = request;
  const answerGiven = async () => (key ? firstAnswer(db, { ...request, key }, schema) : undefined);
  const replayed = await answerGiven();
  if (replayed) return replayed;
  try {
    return await work();
  } catch (error) {
    const winner = await answerGiven();
    if (winner) return winner;
    throw error;
  }
}
