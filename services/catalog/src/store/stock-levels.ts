import type { Transaction } from "kysely";
import type { CatalogTables } from "./tables.ts";

/**
 * Records inventory's latest word on a sku. Events may arrive out of order, so an older level
 * never replaces a newer one. Resolves with whether `in_stock` flipped.
 */
export async function recordStockLevel(
  transaction: Transaction<CatalogTables>,
  level: { sku: string; available: number; time: Date },
): Promise<{ applied: boolean; inStockBefore: boolean }> {
  const before = await transaction
    .selectFrom("stock_levels")
    .select(["in_stock", "level_time"])
    .where("sku", "=", level.sku)
    .forUpdate()
    .executeTakeFirst();
  const inStockBefore = before?.in_stock ?? false;
  if (before && before.level_time.getTime() > level.time.getTime()) return { applied: false, inStockBefore };
  await transaction
    .insertInto("stock_levels")
    .values({
      sku: level.sku,
      available: level.available,
      in_stock: level.available > 0,
      level_time: level.time,
    })
    .onConflict((conflict) =>
      conflict.column("sku").doUpdateSet((eb) => ({
        available: eb.ref("excluded.available"),
        in_stock: eb.ref("excluded.in_stock"),
        level_time: eb.ref("excluded.level_time"),
      })),
    )
    .execute();
  return { applied: true, inStockBefore };
}
