import type { OrderConfirmed } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { decayWeight } from "../domain/decay.ts";
import { interactionWeights, pairedProductsOf, pairsWithin } from "../domain/signals.ts";
import type { RecommendationsSettings } from "../settings.ts";
import { addPopularity, addToNeighbours, addToUserItems } from "../store/learning.ts";
import type { RecommendationsTables } from "../store/tables.ts";

/**
 * A confirmed order (not a placed one: a rejected order bought nothing) pairs its products as
 * bought together, adds to each product's popularity once, whatever the quantity, and marks them
 * as bought by the customer.
 */
export async function learnFromOrder(
  event: EventOf<typeof OrderConfirmed>,
  { transaction, settings }: HandlerContext<RecommendationsTables, RecommendationsSettings>,
): Promise<void> {
  const { userId, items } = event.detail;
  const at = new Date(event.time);
  const weight = decayWeight(at, settings.halfLifeMs);
  const products = [...new Set(items.map((item) => item.productId))];
  const amount = interactionWeights.purchase * weight;
  await addToNeighbours(transaction, pairsWithin(pairedProductsOf(items), { bought: weight }));
  await addPopularity(
    transaction,
    products.map((productId) => ({ productId, amount })),
  );
  await addToUserItems(
    transaction,
    userId,
    products.map((productId) => ({ productId, affinity: amount, bought: true })),
    at,
  );
}
