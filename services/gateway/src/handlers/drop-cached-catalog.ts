import {
  type EventType,
  PriceChanged,
  ProductCreated,
  ProductDeleted,
  ProductUpdated,
  StockLevelChanged,
} from "@mercato/contracts";
import type { SubscriptionDefinition } from "@mercato/platform";
import type { ResponseCache } from "../domain/response-cache.ts";

/** Any change to products or their availability makes cached catalog answers stale. */
export function dropCachedCatalog(cache: ResponseCache): SubscriptionDefinition<unknown> {
  return {
    name: "catalog-cache",
    events: [
      ProductCreated,
      ProductUpdated,
      PriceChanged,
      ProductDeleted,
      StockLevelChanged,
    ] as EventType<unknown>[],
    queue: { visibilityTimeoutMs: 5_000, backoff: { baseMs: 50, maxMs: 1_000 } },
    async handle() {
      cache.clear();
    },
  };
}
