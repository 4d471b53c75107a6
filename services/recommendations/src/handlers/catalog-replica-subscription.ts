import {
  PriceChanged,
  ProductCreated,
  ProductDeleted,
  ProductUpdated,
  StockLevelChanged,
} from "@mercato/contracts";
import { type EventOf, on, type SubscriptionDefinition } from "@mercato/platform";
import type { Kysely } from "kysely";
import {
  applyPrice,
  applyProductSnapshot,
  applyStockLevel,
  type EventVersion,
  markDeleted,
} from "../store/product-replica.ts";
import type { RecommendationsTables } from "../store/tables.ts";
import { inTurn } from "./in-turn.ts";

/**
 * Keeps the products recommendations may show in step with the catalog, and their availability
 * with inventory (queue `recommendations-catalog-replica`).
 */
export const catalogReplicaSubscription: SubscriptionDefinition<RecommendationsTables> = {
  name: "catalog-replica",
  // A deleted or sold-out product should leave recommendations within a second: retry quickly.
  queue: { backoff: { baseMs: 50, maxMs: 5_000 } },
  handlers: [
    on(
      ProductCreated,
      inTurn((event, { transaction }) => takeSnapshot(event, transaction)),
    ),
    on(
      ProductUpdated,
      inTurn((event, { transaction }) => takeSnapshot(event, transaction)),
    ),
    on(
      PriceChanged,
      inTurn(async (event, { transaction }) => {
        await applyPrice(transaction, event.detail.productId, event.detail.newPrice, versionOf(event));
      }),
    ),
    on(
      ProductDeleted,
      inTurn(async (event, { transaction }) => {
        await markDeleted(transaction, event.detail.productId);
      }),
    ),
    on(
      StockLevelChanged,
      inTurn(async (event, { transaction }) => {
        await applyStockLevel(transaction, event.detail, versionOf(event));
      }),
    ),
  ],
};

async function takeSnapshot(
  event: EventOf<typeof ProductCreated> | EventOf<typeof ProductUpdated>,
  transaction: Kysely<RecommendationsTables>,
): Promise<void> {
  const { productId, sku, name, images, price, inStock } = event.detail;
  await applyProductSnapshot(
    transaction,
    { productId, sku, name, image: images[0] ?? null, price, inStock },
    versionOf(event),
  );
}

function versionOf(event: { time: string; id: string }): EventVersion {
  return { time: new Date(event.time), eventId: event.id };
}
