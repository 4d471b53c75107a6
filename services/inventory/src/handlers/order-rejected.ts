import { causedBy, type OrderRejected } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { release } from "../store/reservation-outcomes.ts";
import { leaveTombstone } from "../store/reservations.ts";
import type { InventoryTables } from "../store/tables.ts";

/**
 * Gives back what the order reserved (nothing if its reservation failed); release announces
 * StockReleased. An order rejected before inventory saw it placed gets a tombstone instead.
 */
export async function onOrderRejected(
  event: EventOf<typeof OrderRejected>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { orderId } = event.detail;
  if (await leaveTombstone(context, orderId, causedBy(event))) {
    context.logger.info({ orderId }, "order rejected before it reserved: tombstone left");
    return;
  }
  await release(context, orderId, causedBy(event));
}
