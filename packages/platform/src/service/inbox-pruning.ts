import { z } from "zod";
import { ConfigError } from "../config.ts";
import { pruneInbox } from "../outbox/inbox.ts";
import type { TaskDefinition } from "./definition.ts";

/** How often each service forgets old inbox rows. */
export const inboxPruningIntervalMs = 60 * 60 * 1000;

const week = 7 * 24 * 60 * 60 * 1000;

const inboxSettingsSchema = z.object({
  MERCATO_INBOX_RETENTION_MS: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number of milliseconds")
    // Shorter than the longest redelivery horizon (a DLQ redriven days later, a NATS
    // redelivery after an outage) and a redelivered event would be handled twice.
    .min(24 * 60 * 60 * 1000, "must be at least 86400000 (a day); a week is the default")
    .default(week),
});

/**
 * How long a consumer remembers a handled event id (its inbox row): MERCATO_INBOX_RETENTION_MS,
 * a week unless set. It must outlast every redelivery, or an event is handled twice.
 */
export function inboxRetentionMs(env: Record<string, string | undefined> = process.env): number {
  const value = env.MERCATO_INBOX_RETENTION_MS;
  const parsed = inboxSettingsSchema.safeParse(
    value === undefined || value === "" ? {} : { MERCATO_INBOX_RETENTION_MS: value },
  );
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `MERCATO_INBOX_RETENTION_MS ${issue.message} (got ${JSON.stringify(value)})`,
      ),
    );
  }
  return parsed.data.MERCATO_INBOX_RETENTION_MS;
}

/**
 * The host's task in every service: deletes inbox rows older than `retentionMs`. An event
 * redelivered within that window still finds its id and changes nothing.
 */
export function inboxPruning<DB, Settings>(retentionMs: number): TaskDefinition<DB, Settings> {
  return {
    name: "inbox pruning",
    intervalMs: inboxPruningIntervalMs,
    runAtStart: true,
    async run(context) {
      const deleted = await pruneInbox(context.database, retentionMs);
      if (deleted > 0) context.logger.info({ deleted }, "forgot handled event ids past the inbox retention");
    },
  };
}
