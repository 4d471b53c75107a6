import { z } from "zod";
import { HttpProblem } from "./problem.ts";
import { findTextProblems } from "./text-input.ts";

const maxCursorLength = 512;

/** `limit` 1-100 (default 20) and an opaque `cursor`; extend it with a list's own filters. */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(maxCursorLength).optional(),
});

export type ListQuery = z.output<typeof listQuerySchema>;

/** `{ items, nextCursor }`, `nextCursor` null on the last page. */
export function listResponseSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * The answer of a list read with one row more than `limit` (the extra row only says that another
 * page follows): the first `limit` rows as `item` makes them, and the cursor of the position after
 * the last of them, null on the last page.
 */
export function pageOf<Row, Item>(
  rows: readonly Row[],
  limit: number,
  item: (row: Row) => Item,
  positionAfter: (last: Row) => unknown,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last !== undefined;
  return { items: page.map(item), nextCursor: more ? encodeCursor(positionAfter(last)) : null };
}

/** A cursor is base64url JSON: opaque to clients, whatever position the list needs to resume from. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

const base64url = /^[A-Za-z0-9_-]+$/;

/** The position `encodeCursor` wrote, checked against `schema`; anything else is a 400 problem. */
export function decodeCursor<T extends z.ZodType>(cursor: string, schema: T): z.output<T> {
  const invalid = (reason: string) =>
    new HttpProblem(
      400,
      "invalid-cursor",
      "The cursor is not one this list handed out; start again without it",
      [{ path: "query.cursor", message: reason }],
    );
  if (cursor.length > maxCursorLength || !base64url.test(cursor)) throw invalid("is not base64url");
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid("does not decode to JSON");
  }
  // The same text rule as every other input: a position's strings reach SQL as parameters.
  if (findTextProblems(position, "cursor").length > 0) throw invalid("holds text no field takes");
  const result = schema.safeParse(position);
  if (!result.success) throw invalid("does not hold a position of this list");
  return result.data;
}

const earliestCursorTime = Date.UTC(1970, 0, 1);
const latestCursorTime = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The fields a list position is made of, bounded so that a forged cursor fails here with a 400
 * rather than in the database: a timestamp is exactly what `Date#toISOString` writes, between 1970
 * and 9999 (year 0000 once reached PostgreSQL and answered 500); an id is a short string; a
 * count or an amount a safe non-negative integer. Build every cursor schema from these.
 */
export const cursorFields = {
  timestamp: z.iso.datetime().refine((text) => {
    const time = Date.parse(text);
    return time >= earliestCursorTime && time <= latestCursorTime && new Date(time).toISOString() === text;
  }, "is not a time this list handed out"),
  id: z.string().min(1).max(128),
  uuid: z.uuid(),
  count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
};
