import {
  PriceChanged,
  ProductCreated,
  ProductDeleted,
  ProductUpdated,
  StockLevelChanged,
} from "@mercato/contracts";
import { type HandlerContext, on, type SubscriptionDefinition } from "@mercato/platform";
import type { GatewayResources } from "../resources.ts";
import type { GatewaySettings } from "../settings.ts";

type GatewayHandlerContext = HandlerContext<unknown, GatewaySettings, GatewayResources>;

async function dropCache(_event: unknown, { resources }: GatewayHandlerContext): Promise<void> {
  resources.cache.clear();
}

/** Any change to products or their availability makes cached catalog answers stale. */
export const dropCachedCatalog: SubscriptionDefinition<unknown, GatewaySettings, GatewayResources> = {
  name: "catalog-cache",
  queue: { visibilityTimeoutMs: 5_000, backoff: { baseMs: 50, maxMs: 1_000 } },
  handlers: [
    on(ProductCreated, dropCache),
    on(ProductUpdated, dropCache),
    on(PriceChanged, dropCache),
    on(ProductDeleted, dropCache),
    on(StockLevelChanged, dropCache),
  ],
};
