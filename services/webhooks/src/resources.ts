import type { RuntimeHandlerContext, ServiceContext } from "@mercato/platform";
import { WebhookSender } from "./delivery/webhook-sender.ts";
import type { WebhooksSettings } from "./settings.ts";
import type { WebhooksTables } from "./store/tables.ts";

/** What routes, the delivery handlers and the tasks share in one run. */
export interface WebhooksResources {
  /** Signs and POSTs events; its connections reach only allowed addresses. Closed in onStop. */
  sender: WebhookSender;
}

export function webhooksResources({ settings }: { settings: WebhooksSettings }): WebhooksResources {
  return {
    sender: new WebhookSender({ allowedHosts: settings.allowedHosts, timeoutMs: settings.timeoutMs }),
  };
}

export type WebhooksContext = ServiceContext<WebhooksTables, WebhooksSettings, WebhooksResources>;
export type DeliveryContext = RuntimeHandlerContext<WebhooksTables, WebhooksSettings, WebhooksResources>;
