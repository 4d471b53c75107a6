import { defineService } from "@mercato/platform";
import { registerRecommendationRoutes } from "./api/recommendation-routes.ts";
import { registerViewRoutes } from "./api/view-routes.ts";
import { catalogReplicaSubscription } from "./handlers/catalog-replica-subscription.ts";
import { learningSubscription } from "./handlers/learning-subscription.ts";
import { type RecommendationsSettings, recommendationsSettings } from "./settings.ts";
import type { RecommendationsTables } from "./store/tables.ts";
import { pruning } from "./tasks/pruning.ts";

export type { RecommendationsSettings } from "./settings.ts";

/**
 * Bought-together, viewed-together, personal and popular recommendations, learnt incrementally
 * from events (views, cart adds, confirmed orders) and read from precomputed rows.
 */
export const recommendationsService = defineService<RecommendationsTables, RecommendationsSettings>({
  name: "recommendations",
  migrations: new URL("../migrations/", import.meta.url),
  settings: recommendationsSettings,
  routes(app, context) {
    registerRecommendationRoutes(app, context);
    registerViewRoutes(app, context);
  },
  subscriptions: [catalogReplicaSubscription, learningSubscription],
  tasks: [pruning],
});
