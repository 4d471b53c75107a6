import type { SubscriptionDefinition } from "@mercato/platform";
import { recordEvent } from "../store/event-log.ts";
import type { EventLogTables } from "../store/tables.ts";

/** Every event on the bus carries `version: "0"`, so this rule sees them all. */
export const logEveryEvent: SubscriptionDefinition<EventLogTables> = {
  name: "event-log",
  eventPattern: { version: ["0"] },
  queue: { visibilityTimeoutMs: 10_000, backoff: { baseMs: 100, maxMs: 5_000 } },
  async handle(event, { transaction }) {
    await recordEvent(transaction, event);
  },
};
