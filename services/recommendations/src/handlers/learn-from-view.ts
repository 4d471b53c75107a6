import type { ProductViewed } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { decayWeight } from "../domain/decay.ts";
import { interactionWeights, pairsWith, viewerOf, viewLesson, viewWindow } from "../domain/signals.ts";
import type { RecommendationsSettings } from "../settings.ts";
import {
  addPopularity,
  addToNeighbours,
  addToUserItems,
  recordView,
  viewsAround,
} from "../store/learning.ts";
import type { RecommendationsTables } from "../store/tables.ts";

/**
 * A view adds to the product's popularity, pairs it with what the same viewer looked at within
 * the window (viewed together), and, for a signed-in viewer, to their affinity for it. Looking
 * again at a product already in the window teaches nothing new.
 */
export async function learnFromView(
  event: EventOf<typeof ProductViewed>,
  { transaction, settings }: HandlerContext<RecommendationsTables, RecommendationsSettings>,
): Promise<void> {
  const { productId, userId } = event.detail;
  const at = new Date(event.time);
  const weight = decayWeight(at, settings.halfLifeMs);
  const viewer = viewerOf(event.detail);
  if (!viewer) {
    await addPopularity(transaction, [{ productId, amount: interactionWeights.view * weight }]);
    return;
  }
  const lesson = viewLesson(productId, await viewsAround(transaction, viewer, at, viewWindow));
  await recordView(transaction, viewer, productId, at);
  if (!lesson.counts) return;
  await addToNeighbours(transaction, pairsWith(productId, lesson.pairedWith, { viewed: weight }));
  await addPopularity(transaction, [{ productId, amount: interactionWeights.view * weight }]);
  if (userId) {
    await addToUserItems(
      transaction,
      userId,
      [{ productId, affinity: interactionWeights.view * weight }],
      at,
    );
  }
}
