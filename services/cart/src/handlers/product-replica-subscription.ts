import {
  type EventEnvelope,
  PriceChanged,
  ProductCreated,
  ProductDeleted,
  ProductUpdated,
} from "@mercato/contracts";
import type { SubscriptionDefinition } from "@mercato/platform";
import type { CartTables } from "../store/tables.ts";
import { onPriceChanged } from "./price-changed.ts";
import { onProductDeleted } from "./product-deleted.ts";
import { onProductSnapshot } from "./product-snapshot.ts";

/** Keeps the cart's product replica in step with the catalog (queue `cart-product-replica`). */
export const productReplicaSubscription: SubscriptionDefinition<CartTables> = {
  name: "product-replica",
  events: [ProductCreated, ProductUpdated, PriceChanged, ProductDeleted],
  // Prices in carts should follow the catalog within a second: retry a failure quickly.
  queue: { backoff: { baseMs: 50, maxMs: 5_000 } },
  async handle(event: EventEnvelope, { transaction }) {
    if (ProductCreated.is(event) || ProductUpdated.is(event)) return onProductSnapshot(event, transaction);
    if (PriceChanged.is(event)) return onPriceChanged(event, transaction);
    if (ProductDeleted.is(event)) return onProductDeleted(event, transaction);
  },
};
