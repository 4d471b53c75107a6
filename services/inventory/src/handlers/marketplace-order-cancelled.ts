import { causedBy, type MarketplaceOrderCancelled } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { cancelMarketplaceOrder } from "../store/marketplace-orders.ts";
import type { InventoryTables } from "../store/tables.ts";

/** Gives an accepted marketplace order's units back, once; a cancellation that came first leaves a tombstone. */
export async function onMarketplaceOrderCancelled(
  event: EventOf<typeof MarketplaceOrderCancelled>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const outcome = await cancelMarketplaceOrder(context, event.detail, causedBy(event));
  if (outcome !== "restocked") {
    context.logger.info({ ...event.detail, outcome }, "marketplace order cancelled: nothing to give back");
  }
}
