import type { Money } from "@mercato/contracts";
import { takeIncoming } from "@mercato/platform";
import { type Kysely, sql } from "kysely";
import type { RecommendationsTables } from "./tables.ts";

/** Orders the catalog's events about one product: time, then id (UUIDv7) within a millisecond. */
export interface EventVersion {
  time: Date;
  eventId: string;
}

/** ProductCreated and ProductUpdated carry the whole product: what a recommendation shows of it. */
export interface ProductSnapshot {
  productId: string;
  sku: string;
  name: string;
  image: string | null;
  price: Money;
  /** The catalog's own availability flag, used while inventory said nothing about the sku. */
  inStock: boolean;
}

type Db = Kysely<RecommendationsTables>;

/** "The incoming version is newer than the one that set the row." */
function newerThanRow(time: Date, eventId: string) {
  return sql<boolean>`(${time}::timestamptz, ${eventId}::text) > (coalesce(products.version_time, '-infinity'::timestamptz), coalesce(products.version_id, ''))`;
}

/**
 * Takes the snapshot when its event is newer than the one that last set the row, in a single
 * statement (no lock needed): replays and late, older events change nothing. Availability comes
 * from inventory's level for the sku when there is one.
 */
export async function applyProductSnapshot(
  db: Db,
  product: ProductSnapshot,
  version: EventVersion,
): Promise<void> {
  const inStock = sql<boolean>`coalesce((SELECT level.available > 0 FROM stock_levels level WHERE level.sku = ${product.sku}), ${product.inStock})`;
  await db
    .insertInto("products")
    .values({
      product_id: product.productId,
      sku: product.sku,
      name: product.name,
      image: product.image,
      price_amount: product.price.amount,
      price_currency: product.price.currency,
      version_time: version.time,
      version_id: version.eventId,
      in_stock: inStock,
    })
    .onConflict((conflict) =>
      conflict
        .column("product_id")
        .doUpdateSet(
          takeIncoming([
            "sku",
            "name",
            "image",
            "price_amount",
            "price_currency",
            "version_time",
            "version_id",
            "in_stock",
          ]),
        )
        .where(newerThanRow(version.time, version.eventId)),
    )
    .execute();
}

/**
 * Sets the price alone when the event is newer than the row's snapshot, without taking the
 * row's version: every price change also comes as a ProductUpdated carrying the whole product,
 * which is the event that versions the row, so taking PriceChanged's version could make the
 * replica refuse the ProductUpdated of the same change (and the other fields it carries).
 */
export async function applyPrice(
  db: Db,
  productId: string,
  price: Money,
  version: EventVersion,
): Promise<void> {
  await db
    .insertInto("products")
    .values({ product_id: productId, price_amount: price.amount, price_currency: price.currency })
    .onConflict((conflict) =>
      conflict
        .column("product_id")
        .doUpdateSet((eb) => ({
          price_amount: eb.ref("excluded.price_amount"),
          price_currency: eb.ref("excluded.price_currency"),
        }))
        .where(newerThanRow(version.time, version.eventId)),
    )
    .execute();
}

/** Leaves a tombstone, so that no later snapshot brings the product back. */
export async function markDeleted(db: Db, productId: string): Promise<void> {
  await db
    .insertInto("products")
    .values({ product_id: productId, deleted: true })
    .onConflict((conflict) => conflict.column("product_id").doUpdateSet({ deleted: true }))
    .execute();
}

/**
 * Records the level when its event is newer than the one that set the stored level, and in the
 * same statement sets the availability of the products with that sku.
 */
export async function applyStockLevel(
  db: Db,
  level: { sku: string; available: number },
  version: EventVersion,
): Promise<void> {
  await sql`
    WITH level AS (
      INSERT INTO stock_levels (sku, available, event_time, event_id)
      VALUES (${level.sku}, ${level.available}, ${version.time}, ${version.eventId})
      ON CONFLICT (sku) DO UPDATE SET
        available = excluded.available, event_time = excluded.event_time, event_id = excluded.event_id
      WHERE (excluded.event_time, excluded.event_id) > (stock_levels.event_time, stock_levels.event_id)
      RETURNING sku, available
    )
    UPDATE products SET in_stock = level.available > 0 FROM level WHERE products.sku = level.sku
  `.execute(db);
}

/** Whether the product is one the catalog announced and did not delete (what may be viewed or asked about). */
export async function isListedProduct(db: Db, productId: string): Promise<boolean> {
  const row = await db
    .selectFrom("products")
    .select("product_id")
    .where("product_id", "=", productId)
    .where("deleted", "=", false)
    .where("name", "is not", null)
    .executeTakeFirst();
  return row !== undefined;
}
