import { CartItemAdded, OrderConfirmed, ProductViewed } from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import type { RecommendationsSettings } from "../settings.ts";
import type { RecommendationsTables } from "../store/tables.ts";
import { inTurn } from "./in-turn.ts";
import { learnFromCartAdd } from "./learn-from-cart-add.ts";
import { learnFromOrder } from "./learn-from-order.ts";
import { learnFromView } from "./learn-from-view.ts";

/**
 * Everything recommendations learn from (queue `recommendations-learning`): views, cart adds and
 * confirmed orders, each updating the counters it touches and nothing else.
 */
export const learningSubscription: SubscriptionDefinition<RecommendationsTables, RecommendationsSettings> = {
  name: "learning",
  // New evidence should show within seconds: retry a failure quickly.
  queue: { backoff: { baseMs: 50, maxMs: 5_000 } },
  handlers: [
    on(ProductViewed, inTurn(learnFromView)),
    on(CartItemAdded, inTurn(learnFromCartAdd)),
    on(OrderConfirmed, inTurn(learnFromOrder)),
  ],
};
