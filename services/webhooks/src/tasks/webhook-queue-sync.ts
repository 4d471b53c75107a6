import type { TaskDefinition } from "@mercato/platform";
import { followWebhooks } from "../handlers/webhook-queues.ts";
import type { WebhooksResources } from "../resources.ts";
import type { WebhooksSettings } from "../settings.ts";
import type { WebhooksTables } from "../store/tables.ts";

/**
 * Every process running webhooks consumes every webhook's queue: this picks up webhooks created
 * and deleted through other processes (the process that served the request acts at once).
 */
export const webhookQueueSync: TaskDefinition<WebhooksTables, WebhooksSettings, WebhooksResources> = {
  name: "webhook queue sync",
  intervalMs: 5_000,
  interval: (settings) => settings.syncMs,
  run: followWebhooks,
};
