import { type Kysely, sql } from "kysely";
import type { RecommendationsTables } from "./tables.ts";

type Db = Kysely<RecommendationsTables>;

/** Keeps each product's `keep` best neighbours and drops pairs with a deleted product. */
export async function pruneNeighbours(db: Db, keep: number): Promise<number> {
  const beyond = await keepFirst(db, {
    table: "neighbours",
    group: "product_id",
    member: "neighbour_id",
    best: "score DESC",
    keep,
  });
  const gone = await db
    .deleteFrom("neighbours")
    .where(({ or, eb, selectFrom }) => {
      const deleted = selectFrom("products").select("product_id").where("deleted", "=", true);
      return or([eb("product_id", "in", deleted), eb("neighbour_id", "in", deleted)]);
    })
    .executeTakeFirst();
  return beyond + Number(gone.numDeletedRows);
}

/** Keeps each user's `keep` latest products and drops deleted ones. */
export async function pruneUserItems(db: Db, keep: number): Promise<number> {
  const beyond = await keepFirst(db, {
    table: "user_items",
    group: "user_id",
    member: "product_id",
    best: "last_at DESC",
    keep,
  });
  const gone = await db
    .deleteFrom("user_items")
    .where("product_id", "in", (eb) =>
      eb.selectFrom("products").select("product_id").where("deleted", "=", true),
    )
    .executeTakeFirst();
  return beyond + Number(gone.numDeletedRows);
}

/** Drops views too old to pair with any new one. */
export async function pruneRecentViews(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom("recent_views").where("viewed_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes the rows of `table` after the first `keep` of each `group`, ordered by `best`. */
async function keepFirst(
  db: Db,
  ranking: { table: string; group: string; member: string; best: string; keep: number },
): Promise<number> {
  // Names and orders come from the two callers above, never from input.
  const { table, group, member, best, keep } = ranking;
  const { numAffectedRows } = await sql`
    DELETE FROM ${sql.table(table)} t USING (
      SELECT ${sql.ref(group)} AS grp, ${sql.ref(member)} AS mem FROM (
        SELECT ${sql.ref(group)}, ${sql.ref(member)},
          row_number() OVER (PARTITION BY ${sql.ref(group)} ORDER BY ${sql.raw(best)}, ${sql.ref(member)}) AS rank
        FROM ${sql.table(table)}
      ) ranked
      WHERE rank > ${keep}
    ) extra
    WHERE t.${sql.ref(group)} = extra.grp AND t.${sql.ref(member)} = extra.mem
  `.execute(db);
  return Number(numAffectedRows ?? 0);
}
