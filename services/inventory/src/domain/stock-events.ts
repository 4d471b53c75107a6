import { BackInStock, type EventContext, type EventEnvelope, StockLevelChanged } from "@mercato/contracts";
import { cameBackInStock, type StockLevels } from "./stock.ts";

/**
 * What a change of one sku's levels announces: StockLevelChanged when what can be sold changed,
 * and BackInStock when it applies. A commit moves units from reserved to sold, which changes
 * nothing a shopper can see: its StockCommitted says enough, and every checkout saves an event.
 */
export function stockChangeEvents(
  availableBefore: number,
  after: StockLevels,
  context: EventContext,
): EventEnvelope[] {
  if (availableBefore === after.available) return [];
  const events: EventEnvelope[] = [StockLevelChanged.create(after, context)];
  if (cameBackInStock(availableBefore, after.available)) {
    events.push(BackInStock.create({ sku: after.sku, available: after.available }, context));
  }
  return events;
}
