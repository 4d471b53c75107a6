import { causedBy, type InventoryLevelChanged } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { applyCountedLevel } from "../store/stock-level-feed.ts";
import type { InventoryTables } from "../store/tables.ts";

/** Sets the sku's on hand from a seller's or marketplace's count, unless a newer count was applied. */
export async function onInventoryLevelChanged(
  event: EventOf<typeof InventoryLevelChanged>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { sku, onHand, asOf } = event.detail;
  const level = { sku, onHand, asOf: new Date(asOf), source: event.source };
  const result = await applyCountedLevel(context, level, causedBy(event));
  if (result.stale) {
    context.logger.info({ sku, asOf, source: event.source }, "stock level older than one applied: ignored");
  } else if (result.levels.onHand > onHand) {
    context.logger.warn(
      { sku, counted: onHand, reserved: result.levels.reserved },
      "counted level is below what is reserved for checkouts: on hand kept at the reserved units",
    );
  }
}
