import { BackInStock, type EventContext, type EventEnvelope, StockLevelChanged } from "@mercato/contracts";
import { cameBackInStock, type StockLevels } from "./stock.ts";

/** What a change of one sku's levels announces: always StockLevelChanged, and BackInStock when it applies. */
export function stockChangeEvents(
  availableBefore: number,
  after: StockLevels,
  context: EventContext,
): EventEnvelope[] {
  const events: EventEnvelope[] = [StockLevelChanged.create(after, context)];
  if (cameBackInStock(availableBefore, after.available)) {
    events.push(BackInStock.create({ sku: after.sku, available: after.available }, context));
  }
  return events;
}
