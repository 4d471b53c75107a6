import { causedBy, type MarketplaceOrderPlaced } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { placeMarketplaceOrder } from "../store/marketplace-orders.ts";
import type { InventoryTables } from "../store/tables.ts";

/** Takes the order's units from the one stock, once; answers Marketplace Order Accepted or Rejected. */
export async function onMarketplaceOrderPlaced(
  event: EventOf<typeof MarketplaceOrderPlaced>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { channel, externalOrderId } = event.detail;
  const result = await placeMarketplaceOrder(context, event.detail, causedBy(event));
  if (result.outcome === "replayed") {
    context.logger.info({ channel, externalOrderId }, "marketplace order already seen: nothing taken");
  }
}
