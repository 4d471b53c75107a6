import { causedBy, type EventEnvelope, type OrderConfirmed } from "@mercato/contracts";
import type { HandlerContext } from "@mercato/platform";
import type { z } from "zod";
import { commit } from "../store/reservations.ts";
import type { InventoryTables } from "../store/tables.ts";

/** Turns the order's reservation into a sale; commit announces StockCommitted. */
export async function onOrderConfirmed(
  event: EventEnvelope<z.infer<typeof OrderConfirmed.schema>>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { orderId } = event.detail;
  const reservation = await commit(context, orderId, causedBy(event));
  // The saga confirms only what inventory reserved: anything else means the two disagree, and
  // the units of this order were not taken off the books.
  if (reservation?.status !== "committed") {
    context.logger.warn(
      { orderId, status: reservation?.status ?? "none" },
      "confirmed order has no reservation to commit",
    );
  }
}
