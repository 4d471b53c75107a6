import { PriceChanged, ProductCreated, ProductDeleted, ProductUpdated } from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import type { CartTables } from "../store/tables.ts";
import { onPriceChanged } from "./price-changed.ts";
import { onProductDeleted } from "./product-deleted.ts";
import { onProductSnapshot } from "./product-snapshot.ts";

/** Keeps the cart's product replica in step with the catalog (queue `cart-product-replica`). */
export const productReplicaSubscription: SubscriptionDefinition<CartTables> = {
  name: "product-replica",
  // Prices in carts should follow the catalog within a second: retry a failure quickly.
  queue: { backoff: { baseMs: 50, maxMs: 5_000 } },
  handlers: [
    on(ProductCreated, (event, { transaction }) => onProductSnapshot(event, transaction)),
    on(ProductUpdated, (event, { transaction }) => onProductSnapshot(event, transaction)),
    on(PriceChanged, (event, { transaction }) => onPriceChanged(event, transaction)),
    on(ProductDeleted, (event, { transaction }) => onProductDeleted(event, transaction)),
  ],
};
