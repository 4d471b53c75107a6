import { causedBy, type OrderCancelled } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { cancel } from "../store/reservation-outcomes.ts";
import { leaveTombstone } from "../store/reservations.ts";
import type { InventoryTables } from "../store/tables.ts";

/**
 * Releases a pending order's reservation, or puts a confirmed order's units back on hand. An
 * order cancelled before inventory saw it placed gets a tombstone instead.
 */
export async function onOrderCancelled(
  event: EventOf<typeof OrderCancelled>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { orderId } = event.detail;
  if (await leaveTombstone(context, orderId, causedBy(event))) {
    context.logger.info({ orderId }, "order cancelled before it reserved: tombstone left");
    return;
  }
  await cancel(context, orderId, causedBy(event));
}
