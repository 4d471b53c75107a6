import { type Kysely, sql } from "kysely";
import type { ProductSummary } from "../domain/recommendation.ts";
import type { RecommendationsTables } from "./tables.ts";

// The reads behind each answer: one or two index range scans over precomputed rows, bounded by
// the neighbours kept per product and the user history kept per user.

type Db = Kysely<RecommendationsTables>;

interface SummaryRow {
  product_id: string;
  sku: string | null;
  name: string | null;
  image: string | null;
  price_amount: number | null;
  price_currency: string | null;
}

/** A sellable row always has its fields (see the `sellable` column). */
export function summaryOf(row: SummaryRow): ProductSummary {
  return {
    id: row.product_id,
    sku: row.sku ?? "",
    name: row.name ?? "",
    price: { amount: Number(row.price_amount), currency: row.price_currency ?? "" },
    image: row.image,
  };
}

export interface RelatedRow extends SummaryRow {
  bought: number;
  viewed: number;
  score: number;
}

/**
 * The product's best sellable neighbours, best first, with whether the product itself is listed:
 * one statement reading the product's row and the top of its neighbours index. Undefined when the
 * product is unknown or deleted.
 */
export async function relatedTo(db: Db, productId: string, limit: number): Promise<RelatedRow[] | undefined> {
  const rows = await db
    .selectFrom("products as target")
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom("neighbours as n")
          .innerJoin("products as p", "p.product_id", "n.neighbour_id")
          .whereRef("n.product_id", "=", "target.product_id")
          .where(sql<boolean>`p.sellable`)
          .select([
            "p.product_id",
            "p.sku",
            "p.name",
            "p.image",
            "p.price_amount",
            "p.price_currency",
            "n.bought",
            "n.viewed",
            "n.score",
          ])
          .orderBy("n.score", "desc")
          .orderBy("n.neighbour_id")
          .limit(limit)
          .as("related"),
      (join) => join.onTrue(),
    )
    .select([
      "related.product_id",
      "related.sku",
      "related.name",
      "related.image",
      "related.price_amount",
      "related.price_currency",
      "related.bought",
      "related.viewed",
      "related.score",
    ])
    .where("target.product_id", "=", productId)
    .where("target.deleted", "=", false)
    .where("target.name", "is not", null)
    .execute();
  if (rows.length === 0) return undefined;
  // The target's row comes back once with nulls when it has no sellable neighbour.
  return rows.filter((row) => row.product_id !== null) as RelatedRow[];
}

export interface PopularRow extends SummaryRow {
  popularity: number;
}

/**
 * The most popular sellable products, from the top of the popularity index: none of `excluding`,
 * and for `userId`, none the user bought or has put in their cart.
 */
export async function mostPopular(
  db: Db,
  options: { limit: number; excluding: string[]; userId?: string },
): Promise<PopularRow[]> {
  const { limit, excluding, userId } = options;
  let query = db
    .selectFrom("products")
    .select(["product_id", "sku", "name", "image", "price_amount", "price_currency", "popularity"])
    .where(sql<boolean>`sellable`)
    .where("popularity", ">", 0);
  if (excluding.length > 0) query = query.where("product_id", "not in", excluding);
  if (userId !== undefined) {
    query = query.where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("user_items as mine")
            .select("mine.product_id")
            .where("mine.user_id", "=", userId)
            .whereRef("mine.product_id", "=", "products.product_id")
            .where(sql<boolean>`(mine.bought OR mine.carted)`),
        ),
      ),
    );
  }
  return query.orderBy("popularity", "desc").orderBy("product_id").limit(limit).execute();
}

export interface ForUserRow extends SummaryRow {
  score: number;
  based_on: string;
}

/**
 * Neighbours of the user's `recentItems` latest products, each scored by the sum of its
 * neighbour scores weighted by the user's share of affinity for the product it neighbours; none
 * the user bought or has in their cart. One statement: the top of the user's history index, then
 * the top of each of those products' neighbours.
 */
export async function forUser(
  db: Db,
  userId: string,
  options: { limit: number; recentItems: number },
): Promise<ForUserRow[]> {
  const { rows } = await sql<ForUserRow>`
    WITH recent AS (
      SELECT product_id, affinity FROM user_items
      WHERE user_id = ${userId}
      ORDER BY last_at DESC
      LIMIT ${options.recentItems}
    ), total AS (
      SELECT sum(affinity) AS affinity FROM recent
    )
    SELECT p.product_id, p.sku, p.name, p.image, p.price_amount, p.price_currency,
      sum(recent.affinity * n.score) / (SELECT affinity FROM total) AS score,
      (array_agg(recent.product_id ORDER BY recent.affinity * n.score DESC, recent.product_id))[1] AS based_on
    FROM recent
    JOIN neighbours n ON n.product_id = recent.product_id
    JOIN products p ON p.product_id = n.neighbour_id AND p.sellable
    WHERE NOT EXISTS (
      SELECT 1 FROM user_items mine
      WHERE mine.user_id = ${userId} AND mine.product_id = n.neighbour_id AND (mine.bought OR mine.carted)
    )
    GROUP BY p.product_id
    ORDER BY score DESC, p.product_id
    LIMIT ${options.limit}
  `.execute(db);
  return rows;
}
