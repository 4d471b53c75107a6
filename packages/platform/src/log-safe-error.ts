import { pino } from "pino";
import { isDatabaseError, scrubDatabaseError } from "./db/database-error.ts";

/**
 * The database layers scrub their errors as they throw them; these are the last gate before a log
 * line or a stored attempt, for errors that reached them another way (a driver used directly, an
 * error wrapped as the `cause` of another).
 */

const maxDepth = 8;

/** Scrubs every database error reachable from `error`: causes, aggregated errors, error fields. */
function scrubReachable(error: unknown, depth = 0, seen = new Set<unknown>()): void {
  if (depth > maxDepth || typeof error !== "object" || error === null || seen.has(error)) return;
  seen.add(error);
  if (isDatabaseError(error)) {
    scrubDatabaseError(error);
    return;
  }
  if (!(error instanceof Error)) return;
  const record = error as unknown as Record<string, unknown>;
  const nested = [error.cause, ...(Array.isArray(record.errors) ? record.errors : [])];
  for (const key of Object.keys(error)) if (record[key] instanceof Error) nested.push(record[key]);
  for (const inner of nested) scrubReachable(inner, depth + 1, seen);
}

/** Pino's serializer for `err`, applied to an error with no database values left in it. */
export function serializeError(error: unknown): unknown {
  scrubReachable(error);
  return pino.stdSerializers.err(error as Error);
}

/** One line for an error, as a failed attempt stores it: the message, and for SQL its code. */
export function errorSummary(error: unknown): string {
  scrubReachable(error);
  if (isDatabaseError(error)) {
    const where = error.constraint ?? error.table ?? error.statement;
    return `${error.message} (SQLSTATE ${error.code}${where ? `, ${where}` : ""})`;
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
