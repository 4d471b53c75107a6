import type { TaskDefinition } from "@mercato/platform";
import { viewWindow } from "../domain/signals.ts";
import type { RecommendationsSettings } from "../settings.ts";
import { pruneNeighbours, pruneRecentViews, pruneUserItems } from "../store/pruning.ts";
import type { RecommendationsTables } from "../store/tables.ts";

/**
 * Bounds what learning keeps: the best neighbours of each product, the latest products of each
 * user, the views of the last window. Between two runs the tables grow by what the events of one
 * interval add, at most.
 */
export const pruning: TaskDefinition<RecommendationsTables, RecommendationsSettings> = {
  name: "recommendations pruning",
  intervalMs: 60_000,
  runAtStart: true,
  async run({ db, settings, logger }) {
    const removed = {
      neighbours: await pruneNeighbours(db, settings.neighbours),
      userItems: await pruneUserItems(db, settings.userHistory),
      recentViews: await pruneRecentViews(db, new Date(Date.now() - viewWindow.ms)),
    };
    if (removed.neighbours + removed.userItems + removed.recentViews > 0) logger.debug(removed, "pruned");
  },
};
