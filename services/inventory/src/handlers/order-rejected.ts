import { causedBy, type EventEnvelope, type OrderRejected } from "@mercato/contracts";
import type { HandlerContext } from "@mercato/platform";
import type { z } from "zod";
import { leaveTombstone, release } from "../store/reservations.ts";
import type { InventoryTables } from "../store/tables.ts";

/**
 * Gives back what the order reserved (nothing if its reservation failed); release announces
 * StockReleased. An order rejected before inventory saw it placed gets a tombstone instead.
 */
export async function onOrderRejected(
  event: EventEnvelope<z.infer<typeof OrderRejected.schema>>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { orderId } = event.detail;
  if (await leaveTombstone(context, orderId, causedBy(event))) {
    context.logger.info({ orderId }, "order rejected before it reserved: tombstone left");
    return;
  }
  await release(context, orderId, causedBy(event));
}
