import { defineService } from "@mercato/platform";
import { registerRecentEvents } from "./api/recent-events.ts";
import { logEveryEvent } from "./handlers/log-every-event.ts";
import { type EventsSettings, eventsSettings } from "./settings.ts";
import type { EventLogTables } from "./store/tables.ts";
import { eventLogPruning } from "./tasks/event-log-pruning.ts";

export type { EventLogTables } from "./store/tables.ts";

/**
 * The platform's event log: every event the bus routes, kept a week, for operators
 * (`GET /api/ops/events`) and for following a correlation across services.
 */
export const eventsService = defineService<EventLogTables, EventsSettings>({
  name: "events",
  migrations: new URL("../migrations/", import.meta.url),
  settings: eventsSettings,
  routes(app, context) {
    registerRecentEvents(app, context);
  },
  subscriptions: [logEveryEvent],
  tasks: [eventLogPruning],
});
