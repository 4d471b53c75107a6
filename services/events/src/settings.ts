import { z } from "zod";

const week = 7 * 24 * 60 * 60 * 1000;

/** The event log's settings, read from the environment by the host. */
export const eventsSettings = z
  .object({
    MERCATO_EVENT_LOG_RETENTION_MS: z.coerce.number().int().positive().default(week),
  })
  .transform((env) => ({
    /** How long the event log keeps an event. */
    retentionMs: env.MERCATO_EVENT_LOG_RETENTION_MS,
  }));

export type EventsSettings = z.infer<typeof eventsSettings>;
