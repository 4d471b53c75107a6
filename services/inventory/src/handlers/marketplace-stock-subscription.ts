import {
  InventoryLevelChanged,
  MarketplaceOrderCancelled,
  MarketplaceOrderPlaced,
  MarketplaceReturnReceived,
} from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import type { InventoryTables } from "../store/tables.ts";
import { onInventoryLevelChanged } from "./inventory-level-changed.ts";
import { onMarketplaceOrderCancelled } from "./marketplace-order-cancelled.ts";
import { onMarketplaceOrderPlaced } from "./marketplace-order-placed.ts";
import { onMarketplaceReturnReceived } from "./marketplace-return-received.ts";

/**
 * Other channels' orders, cancellations, returns and stock counts, from any source starting
 * `marketplace.` or `seller.` (queue `inventory-marketplace-stock`). Not FIFO: each step is
 * idempotent per channel and order (or return, or asOf), and a cancellation that overtakes its
 * order leaves a tombstone. A detail that breaks its schema (ingestion refuses those, so only a
 * publisher that bypassed it) fails validation and is dead-lettered.
 */
export const marketplaceStockSubscription: SubscriptionDefinition<InventoryTables> = {
  name: "marketplace-stock",
  queue: { backoff: { baseMs: 100, maxMs: 5_000 } },
  handlers: [
    on(MarketplaceOrderPlaced, onMarketplaceOrderPlaced),
    on(MarketplaceOrderCancelled, onMarketplaceOrderCancelled),
    on(MarketplaceReturnReceived, onMarketplaceReturnReceived),
    on(InventoryLevelChanged, onInventoryLevelChanged),
  ],
};
