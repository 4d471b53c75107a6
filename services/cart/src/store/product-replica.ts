import { type Kysely, sql } from "kysely";
import type { ReplicaProduct } from "../domain/cart.ts";
import type { ReplicaChange } from "../domain/replica-change.ts";
import type { CartTables } from "./tables.ts";

/** "The incoming event is newer than the one that last set this group of columns." */
function newer(group: "fields" | "price") {
  const time = sql.ref(`excluded.${group}_event_time`);
  const id = sql.ref(`excluded.${group}_event_id`);
  const currentTime = sql.ref(`product_replica.${group}_event_time`);
  const currentId = sql.ref(`product_replica.${group}_event_id`);
  return sql`(${time}, ${id}) > (coalesce(${currentTime}, '-infinity'::timestamptz), coalesce(${currentId}, ''))`;
}

/**
 * Applies one catalog event to the replica in a single statement, so concurrent handlers need no
 * lock. Each group of columns (fields, price) takes the event's values only when the event is newer
 * than the one that last set that group; a group the event does not carry compares as NULL and is
 * kept. Replays and late, older events therefore change nothing.
 */
export async function applyReplicaChange(db: Kysely<CartTables>, change: ReplicaChange): Promise<void> {
  const { fields, price } = change;
  const fieldsTime = fields ? change.version.time : null;
  const fieldsId = fields ? change.version.eventId : null;
  const priceTime = price ? change.version.time : null;
  const priceId = price ? change.version.eventId : null;
  const fieldsNewer = newer("fields");
  const priceNewer = newer("price");
  await sql`
    INSERT INTO product_replica (
      product_id, sku, name, fields_event_time, fields_event_id,
      price_amount, price_currency, price_event_time, price_event_id, deleted
    ) VALUES (
      ${change.productId}, ${fields?.sku ?? null}, ${fields?.name ?? null}, ${fieldsTime}, ${fieldsId},
      ${price?.amount ?? null}, ${price?.currency ?? null}, ${priceTime}, ${priceId}, ${change.deleted ?? false}
    )
    ON CONFLICT (product_id) DO UPDATE SET
      sku = CASE WHEN ${fieldsNewer} THEN excluded.sku ELSE product_replica.sku END,
      name = CASE WHEN ${fieldsNewer} THEN excluded.name ELSE product_replica.name END,
      fields_event_time = CASE WHEN ${fieldsNewer} THEN excluded.fields_event_time ELSE product_replica.fields_event_time END,
      fields_event_id = CASE WHEN ${fieldsNewer} THEN excluded.fields_event_id ELSE product_replica.fields_event_id END,
      price_amount = CASE WHEN ${priceNewer} THEN excluded.price_amount ELSE product_replica.price_amount END,
      price_currency = CASE WHEN ${priceNewer} THEN excluded.price_currency ELSE product_replica.price_currency END,
      price_event_time = CASE WHEN ${priceNewer} THEN excluded.price_event_time ELSE product_replica.price_event_time END,
      price_event_id = CASE WHEN ${priceNewer} THEN excluded.price_event_id ELSE product_replica.price_event_id END,
      deleted = product_replica.deleted OR excluded.deleted,
      updated_at = now()
  `.execute(db);
}

export async function findReplicaProduct(
  db: Kysely<CartTables>,
  productId: string,
): Promise<ReplicaProduct | undefined> {
  const row = await db
    .selectFrom("product_replica")
    .select(["sku", "name", "price_amount", "price_currency", "deleted"])
    .where("product_id", "=", productId)
    .executeTakeFirst();
  return row && replicaProductOf(row);
}

export function replicaProductOf(row: {
  sku: string | null;
  name: string | null;
  price_amount: number | null;
  price_currency: string | null;
  deleted: boolean;
}): ReplicaProduct {
  const price =
    row.price_amount === null || row.price_currency === null
      ? null
      : { amount: Number(row.price_amount), currency: row.price_currency };
  return { sku: row.sku, name: row.name, price, deleted: row.deleted };
}
