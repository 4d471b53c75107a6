import { z } from "zod";
import { defineEvent } from "../event-type.ts";

const source = "mercato.webhooks";

/** What every attempt to deliver an event to a webhook tells. */
const attempt = {
  webhookId: z.string().min(1),
  /** The id of the event delivered (the `webhook-id` header). */
  eventId: z.string().min(1),
  /** 1 for the first attempt; counts on across a redrive from the dead-letter queue. */
  attempt: z.number().int().min(1),
  durationMs: z.number().int().min(0),
};

export const WebhookDelivered = defineEvent({
  source,
  detailType: "WebhookDelivered",
  description:
    "A webhook's receiver answered an event with a 2xx status. Webhooks never deliver this service's own events.",
  detail: z.object({ ...attempt, responseStatus: z.number().int().min(200).max(299) }),
});

export const WebhookFailed = defineEvent({
  source,
  detailType: "WebhookFailed",
  description:
    "An attempt to deliver an event to a webhook failed (a status other than 2xx, no answer in time, a refused address); `willRetry` false means the event went to the webhook's dead-letter queue.",
  detail: z.object({
    ...attempt,
    /** The receiver's status, null when no answer came. */
    responseStatus: z.number().int().min(100).max(599).nullable(),
    error: z.string().min(1).max(500),
    willRetry: z.boolean(),
  }),
});
