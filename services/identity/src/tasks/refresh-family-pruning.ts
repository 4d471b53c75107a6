import type { TaskDefinition } from "@mercato/platform";
import { pruneExpiredRefreshFamilies } from "../store/refresh-tokens.ts";
import type { IdentityTables } from "../store/tables.ts";

/** Deletes refresh token families past their expiry, at start and every hour. */
export const refreshFamilyPruning: TaskDefinition<IdentityTables> = {
  name: "refresh token family pruning",
  intervalMs: 60 * 60 * 1000,
  runAtStart: true,
  async run({ db, logger }) {
    const pruned = await pruneExpiredRefreshFamilies(db);
    if (pruned > 0) logger.info({ families: pruned }, "deleted expired refresh token families");
  },
};
