import type { CartItemAdded } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { decayWeight } from "../domain/decay.ts";
import { interactionWeights } from "../domain/signals.ts";
import type { RecommendationsSettings } from "../settings.ts";
import { addPopularity, addToUserItems } from "../store/learning.ts";
import type { RecommendationsTables } from "../store/tables.ts";

/**
 * A cart add adds to the product's popularity and to the user's affinity for it, and marks it as
 * carted: personal recommendations stop offering what is already in the cart. Quantity does not
 * count: three mugs are one choice.
 */
export async function learnFromCartAdd(
  event: EventOf<typeof CartItemAdded>,
  { transaction, settings }: HandlerContext<RecommendationsTables, RecommendationsSettings>,
): Promise<void> {
  const { userId, productId } = event.detail;
  const at = new Date(event.time);
  const amount = interactionWeights.cartAdd * decayWeight(at, settings.halfLifeMs);
  await addPopularity(transaction, [{ productId, amount }]);
  await addToUserItems(transaction, userId, [{ productId, affinity: amount, carted: true }], at);
}
