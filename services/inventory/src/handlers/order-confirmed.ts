import { causedBy, type OrderConfirmed } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { commit } from "../store/reservation-outcomes.ts";
import type { InventoryTables } from "../store/tables.ts";

/** Turns the order's reservation into a sale; commit announces StockCommitted. */
export async function onOrderConfirmed(
  event: EventOf<typeof OrderConfirmed>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { orderId } = event.detail;
  const reservation = await commit(context, orderId, causedBy(event));
  const status = reservation?.status ?? "none";
  if (status === "committed") return;
  // An expired reservation whose units are gone: the customer paid for units sold to another.
  if (status === "expired") {
    context.logger.error(
      { orderId },
      "confirmed order's reservation expired and its units are sold out: oversold",
    );
    return;
  }
  // Released: a cancellation overtook the confirmation, and the units are back where they belong.
  context.logger.info({ orderId, status }, "confirmed order has no reservation left to commit");
}
