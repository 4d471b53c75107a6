import type { TaskDefinition } from "@mercato/platform";
import type { WebhooksSettings } from "../settings.ts";
import { pruneDeliveries } from "../store/deliveries.ts";
import type { WebhooksTables } from "../store/tables.ts";

/** Deletes delivery log rows older than MERCATO_WEBHOOK_LOG_RETENTION_MS, at start and hourly. */
export const deliveryLogPruning: TaskDefinition<WebhooksTables, WebhooksSettings> = {
  name: "webhook delivery log pruning",
  intervalMs: 60 * 60 * 1000,
  runAtStart: true,
  async run({ db, settings }) {
    await pruneDeliveries(db, new Date(Date.now() - settings.logRetentionMs));
  },
};
