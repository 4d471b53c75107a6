import {
  BackInStock,
  PriceChanged,
  ProductCreated,
  ProductDeleted,
  ProductUpdated,
} from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import type { NotificationsTables } from "../store/tables.ts";
import { onBackInStock, onPriceChanged, onProductDeleted, onProductSnapshot } from "./product-watches.ts";

/**
 * The catalog's products as watches need them, and the events that fire watches (queue
 * `notifications-product-watches`). Not FIFO: the replica keeps the newest event per product, and
 * a price change or restock for a product not known yet fires nothing, since no watch can name a
 * product before the replica knows it.
 */
export const productWatches: SubscriptionDefinition<NotificationsTables> = {
  name: "product-watches",
  queue: { backoff: { baseMs: 100, maxMs: 5_000 } },
  handlers: [
    on(ProductCreated, onProductSnapshot),
    on(ProductUpdated, onProductSnapshot),
    on(ProductDeleted, onProductDeleted),
    on(PriceChanged, onPriceChanged),
    on(BackInStock, onBackInStock),
  ],
};
