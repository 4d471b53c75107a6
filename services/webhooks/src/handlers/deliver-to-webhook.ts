import type { EventEnvelope } from "@mercato/contracts";
import { type RuntimeHandler, SealedBoxError } from "@mercato/platform";
import { type AttemptOutcome, outcomeOfNoAnswer } from "../domain/attempt-outcome.ts";
import { ownSource, secretPurpose } from "../domain/webhook.ts";
import type { DeliveryContext, WebhooksResources } from "../resources.ts";
import type { WebhooksSettings } from "../settings.ts";
import { recordAttempt } from "../store/deliveries.ts";
import type { WebhooksTables } from "../store/tables.ts";
import { findDeliveryTarget } from "../store/webhooks.ts";

/** Thrown after a failed attempt was logged, so that the bus retries the event, then dead-letters it. */
export class DeliveryFailedError extends Error {
  override name = "DeliveryFailedError";
}

/**
 * The handler of one webhook's queue: each event the webhook's rule routed there is POSTed to its
 * receiver, signed; every attempt is logged and announced (WebhookDelivered, WebhookFailed). A
 * failed attempt throws with what went wrong, which the dead letter keeps as its last error.
 */
export function deliverToWebhook(
  webhookId: string,
): RuntimeHandler<WebhooksTables, WebhooksSettings, WebhooksResources> {
  return async (event, context) => {
    if (event.source === ownSource) return;
    const webhook = await findDeliveryTarget(context.db, webhookId, event.id);
    // Deleted, or disabled since the event was queued: a disabled webhook receives nothing. Already
    // delivered: the message came again (its acknowledgement was lost), the receiver has it.
    if (!webhook?.enabled || webhook.delivered) return;
    const outcome = await send(context, webhookId, webhook, event);
    const willRetry = !outcome.delivered && context.delivery.receiveCount < context.settings.maxAttempts;
    const attempt = await context.inTransaction((unit) =>
      recordAttempt(unit, { webhookId, event, outcome, willRetry }),
    );
    if (!outcome.delivered) throw new DeliveryFailedError(`attempt ${attempt}: ${outcome.error}`);
  };
}

/** One attempt; a secret that no longer opens is a failed attempt like any other, logged and retried. */
async function send(
  context: DeliveryContext,
  webhookId: string,
  webhook: { url: string; sealedSecret: string },
  event: EventEnvelope,
): Promise<AttemptOutcome> {
  let secret: string;
  try {
    secret = context.secrets.sealedBox.open(webhook.sealedSecret, secretPurpose(webhookId));
  } catch (error) {
    if (!(error instanceof SealedBoxError)) throw error;
    return outcomeOfNoAnswer(
      "the signing secret cannot be opened: MERCATO_SECRET_KEY is not the key that sealed it",
      0,
    );
  }
  // The envelope as it travelled on the bus: what receivers parse and the signature covers.
  return context.resources.sender.send({
    url: webhook.url,
    secret,
    eventId: event.id,
    body: JSON.stringify(event),
  });
}
