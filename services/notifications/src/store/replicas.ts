import type { EventEnvelope } from "@mercato/contracts";
import { newerEvent, takeIncoming } from "@mercato/platform";
import type { Kysely } from "kysely";
import type { NotificationsTables } from "./tables.ts";

/** What notifications knows of a product. */
export interface KnownProduct {
  productId: string;
  sku: string;
  name: string;
  currency: string;
  deleted: boolean;
}

export async function rememberCustomer(
  db: Kysely<NotificationsTables>,
  customer: { userId: string; email: string; name: string },
): Promise<void> {
  await db
    .insertInto("customers")
    .values({ user_id: customer.userId, email: customer.email, name: customer.name })
    .onConflict((conflict) =>
      conflict.column("user_id").doUpdateSet({ email: customer.email, name: customer.name }),
    )
    .execute();
}

/** Where a user's emails go; undefined for a user identity never announced (the first admin). */
export async function findCustomer(
  db: Kysely<NotificationsTables>,
  userId: string,
): Promise<{ email: string; name: string } | undefined> {
  return db
    .selectFrom("customers")
    .select(["email", "name"])
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export async function rememberOrderCustomer(
  db: Kysely<NotificationsTables>,
  orderId: string,
  userId: string,
): Promise<void> {
  await db
    .insertInto("order_customers")
    .values({ order_id: orderId, user_id: userId })
    .onConflict((conflict) => conflict.column("order_id").doNothing())
    .execute();
}

export async function customerOfOrder(
  db: Kysely<NotificationsTables>,
  orderId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("order_customers")
    .select("user_id")
    .where("order_id", "=", orderId)
    .executeTakeFirst();
  return row?.user_id;
}

/**
 * Applies a catalog snapshot of one product: its values win only when the event is newer (time,
 * then id) than the one that last set the row, so a replay or a late event changes nothing.
 */
export async function applyProductSnapshot(
  db: Kysely<NotificationsTables>,
  product: Omit<KnownProduct, "deleted">,
  event: EventEnvelope,
): Promise<void> {
  await db
    .insertInto("products")
    .values({
      product_id: product.productId,
      sku: product.sku,
      name: product.name,
      currency: product.currency,
      event_time: new Date(event.time),
      event_id: event.id,
    })
    .onConflict((conflict) =>
      conflict
        .column("product_id")
        .doUpdateSet(takeIncoming(["sku", "name", "currency", "event_time", "event_id"]))
        .where(newerEvent("products")),
    )
    .execute();
}

/** Marks a product deleted for good, leaving a tombstone even when its creation has not arrived yet. */
export async function forgetProduct(
  db: Kysely<NotificationsTables>,
  product: { productId: string; sku: string },
  event: EventEnvelope,
): Promise<void> {
  await db
    .insertInto("products")
    .values({
      product_id: product.productId,
      sku: product.sku,
      name: "",
      currency: "",
      deleted: true,
      event_time: new Date(event.time),
      event_id: event.id,
    })
    .onConflict((conflict) => conflict.column("product_id").doUpdateSet({ deleted: true }))
    .execute();
}

const productColumns = ["product_id", "sku", "name", "currency", "deleted"] as const;

export async function findProduct(
  db: Kysely<NotificationsTables>,
  productId: string,
): Promise<KnownProduct | undefined> {
  const row = await db
    .selectFrom("products")
    .select(productColumns)
    .where("product_id", "=", productId)
    .executeTakeFirst();
  return row && productOf(row);
}

/** The live products with a sku (one, unless the catalog reused a deleted product's sku). */
export async function productsWithSku(db: Kysely<NotificationsTables>, sku: string): Promise<KnownProduct[]> {
  const rows = await db
    .selectFrom("products")
    .select(productColumns)
    .where("sku", "=", sku)
    .where("deleted", "=", false)
    .execute();
  return rows.map(productOf);
}

function productOf(row: {
  product_id: string;
  sku: string;
  name: string;
  currency: string;
  deleted: boolean;
}): KnownProduct {
  return {
    productId: row.product_id,
    sku: row.sku,
    name: row.name,
    currency: row.currency,
    deleted: row.deleted,
  };
}
