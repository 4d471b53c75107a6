import type { TaskDefinition } from "@mercato/platform";
import { viewWindow } from "../domain/signals.ts";
import type { RecommendationsSettings } from "../settings.ts";
import { takeWritersTurn } from "../store/learning.ts";
import { pruneNeighbours, pruneRecentViews, pruneUserItems } from "../store/pruning.ts";
import type { RecommendationsTables } from "../store/tables.ts";

/**
 * Bounds what learning keeps: the best neighbours of each product, the latest products of each
 * user, the views of the last window. Between two runs the tables grow by what the events of one
 * interval add, at most. It deletes rows learning adds to, so it takes the writers' turn too.
 */
export const pruning: TaskDefinition<RecommendationsTables, RecommendationsSettings> = {
  name: "recommendations pruning",
  intervalMs: 60_000,
  runAtStart: true,
  async run({ inTransaction, settings, logger }) {
    const removed = await inTransaction(async ({ transaction }) => {
      await takeWritersTurn(transaction);
      return {
        neighbours: await pruneNeighbours(transaction, settings.neighbours),
        userItems: await pruneUserItems(transaction, settings.userHistory),
        recentViews: await pruneRecentViews(transaction, new Date(Date.now() - viewWindow.ms)),
      };
    });
    if (removed.neighbours + removed.userItems + removed.recentViews > 0) logger.debug(removed, "pruned");
  },
};
