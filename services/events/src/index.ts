import { defineService } from "@mercato/platform";
import { registerRecentEvents } from "./api/recent-events.ts";
import { logEveryEvent } from "./handlers/log-every-event.ts";
import { pruneEvents } from "./store/event-log.ts";
import type { EventLogTables } from "./store/tables.ts";

export type { EventLogTables } from "./store/tables.ts";

/** How long the event log keeps an event. */
const retentionMs = 7 * 24 * 60 * 60 * 1000;
const pruneIntervalMs = 10 * 60 * 1000;
const pruners = new WeakMap<object, NodeJS.Timeout>();

/**
 * The platform's event log: every event the bus routes, kept a week, for operators
 * (`GET /api/ops/events`) and for following a correlation across services.
 */
export const eventsService = defineService<EventLogTables>({
  name: "events",
  migrations: new URL("../migrations/", import.meta.url),
  routes(app, context) {
    registerRecentEvents(app, context);
  },
  subscriptions: [logEveryEvent],
  async onStart({ db, database, logger }) {
    const prune = () =>
      pruneEvents(db, new Date(Date.now() - retentionMs)).catch((error: unknown) =>
        logger.error({ err: error }, "event log pruning failed"),
      );
    const timer = setInterval(prune, pruneIntervalMs);
    timer.unref();
    pruners.set(database, timer);
    await prune();
  },
  async onStop({ database }) {
    clearInterval(pruners.get(database));
    pruners.delete(database);
  },
});
