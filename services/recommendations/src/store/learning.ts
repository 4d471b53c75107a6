import { type Kysely, sql } from "kysely";
import type { PairIncrement } from "../domain/signals.ts";
import type { RecommendationsTables } from "./tables.ts";

// Every write here adds to counters in one multi-row upsert, rows in key order so that concurrent
// writers lock them in the same order. The inbox records the event in the same transaction, so a
// redelivered event never adds twice.

type Db = Kysely<RecommendationsTables>;

/** The products `viewer` looked at within `windowMs` of `at`, latest first, at most `limit`. */
export async function viewsAround(
  db: Db,
  viewer: string,
  at: Date,
  window: { ms: number; products: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom("recent_views")
    .select("product_id")
    .where("viewer", "=", viewer)
    .where("viewed_at", ">", new Date(at.getTime() - window.ms))
    .where("viewed_at", "<", new Date(at.getTime() + window.ms))
    .orderBy("viewed_at", "desc")
    .limit(window.products)
    .execute();
  return rows.map((row) => row.product_id);
}

export async function recordView(db: Db, viewer: string, productId: string, at: Date): Promise<void> {
  await db
    .insertInto("recent_views")
    .values({ viewer, product_id: productId, viewed_at: at })
    .onConflict((conflict) =>
      conflict
        .columns(["viewer", "product_id"])
        .doUpdateSet({ viewed_at: sql`greatest(recent_views.viewed_at, excluded.viewed_at)` }),
    )
    .execute();
}

export async function addToNeighbours(db: Db, pairs: PairIncrement[]): Promise<void> {
  if (pairs.length === 0) return;
  await db
    .insertInto("neighbours")
    .values(
      pairs.map((pair) => ({
        product_id: pair.productId,
        neighbour_id: pair.neighbourId,
        bought: pair.bought,
        viewed: pair.viewed,
        score: pair.score,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(["product_id", "neighbour_id"]).doUpdateSet({
        bought: sql`neighbours.bought + excluded.bought`,
        viewed: sql`neighbours.viewed + excluded.viewed`,
        score: sql`neighbours.score + excluded.score`,
      }),
    )
    .execute();
}

/** Adds to products' popularity; a product not announced yet gets a row that its snapshot fills later. */
export async function addPopularity(
  db: Db,
  increments: { productId: string; amount: number }[],
): Promise<void> {
  if (increments.length === 0) return;
  const rows = [...increments].sort((a, b) => a.productId.localeCompare(b.productId));
  await db
    .insertInto("products")
    .values(rows.map((row) => ({ product_id: row.productId, popularity: row.amount })))
    .onConflict((conflict) =>
      conflict
        .column("product_id")
        .doUpdateSet({ popularity: sql`products.popularity + excluded.popularity` }),
    )
    .execute();
}

export interface UserItemIncrement {
  productId: string;
  affinity: number;
  carted?: boolean;
  bought?: boolean;
}

/** Adds to a user's affinity for products; the flags once set stay set; `at` moves forward only. */
export async function addToUserItems(
  db: Db,
  userId: string,
  items: UserItemIncrement[],
  at: Date,
): Promise<void> {
  if (items.length === 0) return;
  const rows = [...items].sort((a, b) => a.productId.localeCompare(b.productId));
  await db
    .insertInto("user_items")
    .values(
      rows.map((item) => ({
        user_id: userId,
        product_id: item.productId,
        affinity: item.affinity,
        carted: item.carted ?? false,
        bought: item.bought ?? false,
        last_at: at,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(["user_id", "product_id"]).doUpdateSet({
        affinity: sql`user_items.affinity + excluded.affinity`,
        carted: sql`user_items.carted OR excluded.carted`,
        bought: sql`user_items.bought OR excluded.bought`,
        last_at: sql`greatest(user_items.last_at, excluded.last_at)`,
      }),
    )
    .execute();
}

/**
 * Makes the writers of this service's counters and replica take turns, across processes: held
 * until the transaction ends. Batches of events touch many rows in no common order (a popular
 * product, its pairs), so two at once would deadlock; one at a time, each batch still writes up
 * to a hundred events in one commit. Taking it again in the same transaction returns at once.
 */
export async function takeWritersTurn(db: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('mercato:recommendations:writers'))`.execute(db);
}
