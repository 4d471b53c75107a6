import { StockLevelChanged } from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import { versionOf } from "../domain/replica-change.ts";
import { applyStockLevel } from "../store/stock-levels.ts";
import type { CartTables } from "../store/tables.ts";

/**
 * Keeps what each sku has available (queue `cart-stock-levels`), so that cart lines can show it
 * and flag a quantity beyond it before the customer checks out.
 */
export const stockLevelSubscription: SubscriptionDefinition<CartTables> = {
  name: "stock-levels",
  // A cart should show a sell-out within a second: retry a failure quickly.
  queue: { backoff: { baseMs: 50, maxMs: 5_000 } },
  handlers: [
    on(StockLevelChanged, async (event, { transaction }) => {
      const { sku, available } = event.detail;
      await applyStockLevel(transaction, { sku, available, version: versionOf(event) });
    }),
  ],
};
