import type { TaskDefinition } from "@mercato/platform";
import { forgetExpiredSignatures } from "../store/seen-signatures.ts";
import type { EventsTables } from "../store/tables.ts";

/** Forgets replay-check signatures past the clock-skew window, every minute. */
export const seenSignaturePruning: TaskDefinition<EventsTables> = {
  name: "seen signature pruning",
  intervalMs: 60_000,
  async run({ db }) {
    await forgetExpiredSignatures(db, new Date());
  },
};
