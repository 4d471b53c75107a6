import { type Kysely, sql } from "kysely";
import type { RecommendationsTables } from "./tables.ts";

type Db = Kysely<RecommendationsTables>;

/** Keeps each product's `keep` best neighbours and drops pairs with a deleted product. */
export async function pruneNeighbours(db: Db, keep: number): Promise<number> {
  const { numAffectedRows } = await sql`
    DELETE FROM neighbours n USING (
      SELECT product_id, neighbour_id FROM (
        SELECT product_id, neighbour_id,
          row_number() OVER (PARTITION BY product_id ORDER BY score DESC, neighbour_id) AS rank
        FROM neighbours
      ) ranked
      WHERE rank > ${keep}
      UNION ALL
      SELECT pair.product_id, pair.neighbour_id FROM neighbours pair
      JOIN products gone ON gone.deleted AND gone.product_id IN (pair.product_id, pair.neighbour_id)
    ) extra
    WHERE n.product_id = extra.product_id AND n.neighbour_id = extra.neighbour_id
  `.execute(db);
  return Number(numAffectedRows ?? 0);
}

/** Keeps each user's `keep` latest products and drops deleted ones. */
export async function pruneUserItems(db: Db, keep: number): Promise<number> {
  const { numAffectedRows } = await sql`
    DELETE FROM user_items item USING (
      SELECT user_id, product_id FROM (
        SELECT user_id, product_id,
          row_number() OVER (PARTITION BY user_id ORDER BY last_at DESC, product_id) AS rank
        FROM user_items
      ) ranked
      WHERE rank > ${keep}
      UNION ALL
      SELECT mine.user_id, mine.product_id FROM user_items mine
      JOIN products gone ON gone.deleted AND gone.product_id = mine.product_id
    ) extra
    WHERE item.user_id = extra.user_id AND item.product_id = extra.product_id
  `.execute(db);
  return Number(numAffectedRows ?? 0);
}

/** Drops views too old to pair with any new one. */
export async function pruneRecentViews(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom("recent_views").where("viewed_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
