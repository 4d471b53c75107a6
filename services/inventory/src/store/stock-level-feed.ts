import type { EventContext } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import { sql } from "kysely";
import type { StockLevels } from "../domain/stock.ts";
import { setOnHand } from "./stock-levels.ts";
import type { InventoryTables } from "./tables.ts";

export interface CountedLevel {
  sku: string;
  onHand: number;
  asOf: Date;
  /** The event's source (`seller.acme`): the ledger's channel for this change. */
  source: string;
}

/**
 * Sets a sku's on hand from a seller's or marketplace's count, unless a count as recent or more
 * was already applied (answers `stale`): one as old as the last is the same count sent again, and
 * applying it twice would undo the sales in between. The sku's last asOf moves forward in one
 * conditional upsert, whose row lock orders two counts of one sku, before the stock row is touched.
 * Creates the sku when it is new, like PUT /api/inventory/{sku}; a count below what is reserved
 * leaves on hand at what is reserved (onHandForLevel).
 */
export async function applyCountedLevel(
  writer: UnitOfWork<InventoryTables>,
  level: CountedLevel,
  context: EventContext,
): Promise<{ stale: true } | { stale: false; levels: StockLevels }> {
  const newer = await writer.transaction
    .insertInto("stock_level_updates")
    .values({ sku: level.sku, as_of: level.asOf, source: level.source })
    .onConflict((conflict) =>
      conflict
        .column("sku")
        .doUpdateSet({ as_of: level.asOf, source: level.source })
        .where(sql<boolean>`stock_level_updates.as_of < ${level.asOf}`),
    )
    .returning("sku")
    .executeTakeFirst();
  if (!newer) return { stale: true };
  const { levels } = await setOnHand(writer, level.sku, level.onHand, context, {
    channel: level.source,
    keepReserved: true,
  });
  return { stale: false, levels };
}
