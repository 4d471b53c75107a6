import type { EventPattern } from "@mercato/platform";

/**
 * A webhook subscription as its owner sees it: never with its secret. On the bus it has a queue, a
 * DLQ and (while enabled) a rule, all named after it: `webhooks-<id>` (its id is the runtime
 * queue's key).
 */
export interface Webhook {
  id: string;
  url: string;
  eventPattern: EventPattern;
  description: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What a PATCH may change; absent fields stay as they are. */
export interface WebhookChanges {
  url?: string | undefined;
  eventPattern?: EventPattern | undefined;
  /** null clears it. */
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

/** One attempt in the delivery log. */
export interface DeliveryAttempt {
  id: string;
  eventId: string;
  attempt: number;
  at: Date;
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
}

/** The sealed box's purpose for a webhook's secret: a secret sealed for one webhook opens for no other. */
export function secretPurpose(webhookId: string): string {
  return `webhook-secret:${webhookId}`;
}

/** Webhooks never deliver events of their own service: a delivery's event would cause the next. */
export const ownSource = "mercato.webhooks";
