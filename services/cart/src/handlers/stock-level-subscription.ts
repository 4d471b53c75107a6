import { type EventEnvelope, StockLevelChanged } from "@mercato/contracts";
import type { SubscriptionDefinition } from "@mercato/platform";
import { versionOf } from "../domain/replica-change.ts";
import { applyStockLevel } from "../store/stock-levels.ts";
import type { CartTables } from "../store/tables.ts";

/**
 * Keeps what each sku has available (queue `cart-stock-levels`), so that cart lines can show it
 * and flag a quantity beyond it before the customer checks out.
 */
export const stockLevelSubscription: SubscriptionDefinition<CartTables> = {
  name: "stock-levels",
  events: [StockLevelChanged],
  // A cart should show a sell-out within a second: retry a failure quickly.
  queue: { backoff: { baseMs: 50, maxMs: 5_000 } },
  async handle(event: EventEnvelope, { transaction }) {
    if (!StockLevelChanged.is(event)) return;
    const { sku, available } = event.detail;
    await applyStockLevel(transaction, { sku, available, version: versionOf(event) });
  },
};
