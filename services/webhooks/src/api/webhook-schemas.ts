import { cursorFields, listQuerySchema } from "@mercato/platform";
import { z } from "zod";
import type { DeliveryAttempt, Webhook } from "../domain/webhook.ts";

/** EventBridge's own bound on a rule's pattern. */
const maxPatternLength = 4096;

const eventPattern = z
  .record(z.string(), z.unknown(), { message: "must be an event pattern (a JSON object)" })
  .refine((pattern) => JSON.stringify(pattern).length <= maxPatternLength, {
    message: `must be at most ${maxPatternLength} characters as JSON`,
  });
const url = z.string().min(1).max(2048);
const description = z.string().max(500);

export const createWebhookBody = z
  .object({ url, eventPattern, description: description.optional() })
  .strict()
  .meta({ id: "NewWebhook" });

export const updateWebhookBody = z
  .object({
    url: url.optional(),
    eventPattern: eventPattern.optional(),
    description: description.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, {
    message: "name at least one field to change",
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: "WebhookChanges" });

export const webhookIdParams = z.object({ id: z.string().min(1).max(100) });

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    eventPattern: z.record(z.string(), z.unknown()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Webhook" });

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z.string().describe("`whsec_` + base64 of 32 random bytes; shown in this answer only"),
  })
  .meta({ id: "CreatedWebhook" });

export const deliverySchema = z
  .object({
    eventId: z.string(),
    attempt: z.number().int(),
    at: z.iso.datetime(),
    responseStatus: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
  })
  .meta({ id: "WebhookDelivery" });

export const pageQuery = listQuerySchema.strict();

/** Lists resume after the id of the last item of the previous page. */
export const positionSchema = z.object({ id: cursorFields.uuid }).strict();

export function webhookBody(webhook: Webhook): z.infer<typeof webhookSchema> {
  return {
    id: webhook.id,
    url: webhook.url,
    eventPattern: webhook.eventPattern,
    description: webhook.description,
    enabled: webhook.enabled,
    createdAt: webhook.createdAt.toISOString(),
    updatedAt: webhook.updatedAt.toISOString(),
  };
}

export function deliveryBody(attempt: DeliveryAttempt): z.infer<typeof deliverySchema> {
  return {
    eventId: attempt.eventId,
    attempt: attempt.attempt,
    at: attempt.at.toISOString(),
    responseStatus: attempt.responseStatus,
    error: attempt.error,
    durationMs: attempt.durationMs,
  };
}
