import type { TaskDefinition } from "@mercato/platform";
import type { EventsSettings } from "../settings.ts";
import { pruneEvents } from "../store/event-log.ts";
import type { EventLogTables } from "../store/tables.ts";

/** Deletes events older than the retention, at start and every ten minutes. */
export const eventLogPruning: TaskDefinition<EventLogTables, EventsSettings> = {
  name: "event log pruning",
  intervalMs: 10 * 60 * 1000,
  runAtStart: true,
  async run({ db, settings }) {
    await pruneEvents(db, new Date(Date.now() - settings.retentionMs));
  },
};
