import { causedBy, type ReturnReceived } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { receiveReturn } from "../store/returns.ts";
import type { InventoryTables } from "../store/tables.ts";

/** Puts the returned units back on hand, once per return. */
export async function onReturnReceived(
  event: EventOf<typeof ReturnReceived>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { returnId, orderId, items } = event.detail;
  const lines = items.map(({ sku, quantity }) => ({ sku, quantity }));
  if (!(await receiveReturn(context, { returnId, orderId, lines }, causedBy(event)))) {
    context.logger.info({ returnId, orderId }, "return already received: nothing restocked");
  }
}
