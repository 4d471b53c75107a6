import { defineService } from "@mercato/platform";
import { registerApiKeyRoutes } from "./api/api-key-routes.ts";
import { awsEventsRoutes } from "./api/aws-events-route.ts";
import { registerPutEventsRoute } from "./api/put-events-route.ts";
import { registerRecentEvents } from "./api/recent-events.ts";
import { logEveryEvent } from "./handlers/log-every-event.ts";
import { type EventsSettings, eventsSettings } from "./settings.ts";
import type { EventsTables } from "./store/tables.ts";
import { eventLogPruning } from "./tasks/event-log-pruning.ts";
import { seenSignaturePruning } from "./tasks/seen-signature-pruning.ts";

export type { EventLogTables, EventsTables } from "./store/tables.ts";

/**
 * Events in and out of the bus: ingestion (`POST /api/events`, the EventBridge-compatible
 * `/aws/events`) with its API keys, and the platform's event log: every event the bus routes, kept
 * a week, for operators (`GET /api/ops/events`) and for following a correlation across services.
 */
export const eventsService = defineService<EventsTables, EventsSettings>({
  name: "events",
  migrations: new URL("../migrations/", import.meta.url),
  settings: eventsSettings,
  // Fingerprints API keys and seals their SigV4 secrets.
  secrets: ["sealedBox"],
  async routes(app, context) {
    registerRecentEvents(app, context);
    registerApiKeyRoutes(app, context);
    registerPutEventsRoute(app, context);
    await app.register(awsEventsRoutes(context));
  },
  subscriptions: [logEveryEvent],
  tasks: [eventLogPruning, seenSignaturePruning],
});
