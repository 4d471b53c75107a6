import { type Kysely, sql } from "kysely";
import type { Units } from "../domain/bought-units.ts";
import { maxLineQuantity, type StoredCart, type StoredLine } from "../domain/cart.ts";
import { replicaProductOf } from "./product-replica.ts";
import type { CartTables } from "./tables.ts";

/**
 * The cart's revision and its lines, oldest first, each with its product as the replica has it
 * now and what inventory last said its sku has available.
 */
export async function readStoredCart(db: Kysely<CartTables>, cartId: string): Promise<StoredCart> {
  // One statement, so the revision and the lines come from the same snapshot: a checkout must
  // never pair a revision with lines of another one. The one-row subquery keeps an empty cart's
  // revision in the answer.
  const cart = sql<{ revision: number }>`(
    SELECT coalesce((SELECT revision FROM carts WHERE cart_id = ${cartId}), 0) AS revision
  )`.as("cart");
  const rows = await db
    .selectFrom(cart)
    .leftJoin("cart_items", (join) => join.on("cart_items.cart_id", "=", cartId))
    .leftJoin("product_replica", "product_replica.product_id", "cart_items.product_id")
    .leftJoin("stock_levels", "stock_levels.sku", "product_replica.sku")
    .select([
      "cart.revision",
      "cart_items.product_id",
      "cart_items.quantity",
      "product_replica.product_id as known",
      "product_replica.sku",
      "product_replica.name",
      "product_replica.price_amount",
      "product_replica.price_currency",
      "product_replica.deleted",
      "stock_levels.available",
    ])
    .orderBy("cart_items.added_at")
    .orderBy("cart_items.product_id")
    .execute();
  const lines: StoredLine[] = [];
  for (const row of rows) {
    if (row.product_id === null || row.quantity === null) continue;
    lines.push({
      productId: row.product_id,
      quantity: row.quantity,
      available: row.available,
      product: row.known === null ? undefined : replicaProductOf({ ...row, deleted: row.deleted ?? false }),
    });
  }
  return { revision: Number(rows[0]?.revision ?? 0), lines };
}

/**
 * Adds `quantity` units to the line, creating it if needed, in one statement. Returns the line's
 * new quantity, or undefined when the sum would pass the cap (and nothing changed).
 */
export async function addToLine(
  db: Kysely<CartTables>,
  cartId: string,
  productId: string,
  quantity: number,
): Promise<number | undefined> {
  const row = await db
    .insertInto("cart_items")
    .values({ cart_id: cartId, product_id: productId, quantity })
    .onConflict((conflict) =>
      conflict
        .columns(["cart_id", "product_id"])
        .doUpdateSet((eb) => ({
          quantity: eb("cart_items.quantity", "+", eb.ref("excluded.quantity")),
          updated_at: new Date(),
        }))
        .where((eb) =>
          eb(eb("cart_items.quantity", "+", eb.ref("excluded.quantity")), "<=", maxLineQuantity),
        ),
    )
    .returning("quantity")
    .executeTakeFirst();
  return row?.quantity;
}

export async function setLineQuantity(
  db: Kysely<CartTables>,
  cartId: string,
  productId: string,
  quantity: number,
): Promise<void> {
  await db
    .updateTable("cart_items")
    .set({ quantity, updated_at: new Date() })
    .where("cart_id", "=", cartId)
    .where("product_id", "=", productId)
    .execute();
}

export async function removeLine(db: Kysely<CartTables>, cartId: string, productId: string): Promise<void> {
  await db
    .deleteFrom("cart_items")
    .where("cart_id", "=", cartId)
    .where("product_id", "=", productId)
    .execute();
}

/**
 * The cart's lines of these products, locked until the transaction ends, so that an add or another
 * order changing the same lines waits instead of overwriting the quantity read here.
 */
export async function lockLines(
  db: Kysely<CartTables>,
  cartId: string,
  productIds: string[],
): Promise<Units[]> {
  if (productIds.length === 0) return [];
  return db
    .selectFrom("cart_items")
    .select(["product_id as productId", "quantity"])
    .where("cart_id", "=", cartId)
    .where("product_id", "in", productIds)
    .forUpdate()
    .execute();
}

export async function removeLines(
  db: Kysely<CartTables>,
  cartId: string,
  productIds: string[],
): Promise<void> {
  if (productIds.length === 0) return;
  await db
    .deleteFrom("cart_items")
    .where("cart_id", "=", cartId)
    .where("product_id", "in", productIds)
    .execute();
}

export async function clearCart(db: Kysely<CartTables>, cartId: string): Promise<void> {
  await db.deleteFrom("cart_items").where("cart_id", "=", cartId).execute();
}

/** A deleted product leaves every cart. */
export async function removeProductFromCarts(db: Kysely<CartTables>, productId: string): Promise<void> {
  await db.deleteFrom("cart_items").where("product_id", "=", productId).execute();
}
