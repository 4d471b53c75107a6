import { defineService } from "@mercato/platform";
import { registerWebhookRoutes } from "./api/webhook-routes.ts";
import { openAllWebhookQueues } from "./handlers/webhook-queues.ts";
import { type WebhooksResources, webhooksResources } from "./resources.ts";
import { type WebhooksSettings, webhooksSettings } from "./settings.ts";
import type { WebhooksTables } from "./store/tables.ts";
import { deliveryLogPruning } from "./tasks/delivery-log-pruning.ts";
import { webhookQueueSync } from "./tasks/webhook-queue-sync.ts";

export { refusalOf } from "./domain/address-policy.ts";
export { checkWebhookUrl, type UrlVerdict } from "./domain/webhook-url.ts";
export type { WebhooksSettings } from "./settings.ts";
export type { WebhooksTables } from "./store/tables.ts";

/**
 * Webhooks: admins subscribe URLs to events with EventBridge patterns; each webhook has its own
 * queue and dead-letter queue on the bus, and every event its rule routes there is POSTed to the
 * URL, signed as Standard Webhooks says, with retries, a delivery log and redrive.
 */
export const webhooksService = defineService<WebhooksTables, WebhooksSettings, WebhooksResources>({
  name: "webhooks",
  migrations: new URL("../migrations/", import.meta.url),
  settings: webhooksSettings,
  secrets: ["sealedBox"],
  resources: webhooksResources,
  routes: registerWebhookRoutes,
  tasks: [webhookQueueSync, deliveryLogPruning],
  onStart: openAllWebhookQueues,
  async onStop({ resources }) {
    await resources.sender.close();
  },
});
