import { causedBy, type MarketplaceReturnReceived } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { receiveMarketplaceReturn } from "../store/marketplace-returns.ts";
import type { InventoryTables } from "../store/tables.ts";

/** Restocks a marketplace return's units, once per channel and returnId. */
export async function onMarketplaceReturnReceived(
  event: EventOf<typeof MarketplaceReturnReceived>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { channel, returnId } = event.detail;
  const received = await receiveMarketplaceReturn(context, event.detail, causedBy(event));
  if (!received) {
    context.logger.info({ channel, returnId }, "marketplace return already received: nothing restocked");
  } else if (received.unknownSkus.length > 0) {
    context.logger.warn(
      { channel, returnId, skus: received.unknownSkus },
      "marketplace return names skus inventory does not stock: those units were not restocked",
    );
  }
}
