import { randomBytes } from "node:crypto";
import { compilePattern, type EventPattern, HttpProblem, InvalidPatternError } from "@mercato/platform";
import { v7 as uuidv7 } from "uuid";
import { secretPurpose, type Webhook, type WebhookChanges } from "../domain/webhook.ts";
import { checkWebhookUrl } from "../domain/webhook-url.ts";
import { applyRule, openWebhookQueue } from "../handlers/webhook-queues.ts";
import type { WebhooksContext } from "../resources.ts";
import {
  countWebhooks,
  deleteWebhook,
  insertWebhook,
  lockWebhook,
  updateWebhook,
} from "../store/webhooks.ts";

/** Each webhook is a queue, a DLQ, a rule and a consumer in every process: their number is bounded. */
export const maxWebhooks = 100;

export function webhookNotFound(id: string): HttpProblem {
  return HttpProblem.notFound(`Webhook ${id} does not exist`);
}

/** Registers a webhook and opens its queue; answers it with its secret, which is never shown again. */
export async function createWebhook(
  context: WebhooksContext,
  input: { url: string; eventPattern: EventPattern; description?: string | undefined },
): Promise<{ webhook: Webhook; secret: string }> {
  const eventPattern = compiled(input.eventPattern);
  const url = allowed(context, input.url);
  if ((await countWebhooks(context.db)) >= maxWebhooks) {
    throw HttpProblem.unprocessable(`There are ${maxWebhooks} webhooks already, the most there may be`);
  }
  const id = uuidv7();
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const webhook = await context.inTransaction((unit) =>
    insertWebhook(unit, {
      id,
      url,
      eventPattern,
      description: input.description ?? null,
      sealedSecret: context.secrets.sealedBox.seal(secret, secretPurpose(id)),
    }),
  );
  // Committed before the queue exists, so that a queue on the bus always has its webhook here.
  try {
    await openWebhookQueue(context, webhook);
  } catch (error) {
    await context.queues.remove(id).catch(() => undefined);
    await context.inTransaction((unit) => deleteWebhook(unit, id));
    context.logger.error({ err: error, webhookId: id }, "could not open a new webhook's queue");
    throw new HttpProblem(
      503,
      "unavailable",
      "The event bus did not take the webhook's queue; nothing was created",
    );
  }
  return { webhook, secret };
}

/** Changes a webhook; a new pattern or enabled state reaches its rule in the same transaction. */
export async function changeWebhook(
  context: WebhooksContext,
  id: string,
  changes: WebhookChanges,
): Promise<Webhook> {
  const checked: WebhookChanges = {
    ...changes,
    ...(changes.eventPattern === undefined ? {} : { eventPattern: compiled(changes.eventPattern) }),
    ...(changes.url === undefined ? {} : { url: allowed(context, changes.url) }),
  };
  return context.inTransaction(async (unit) => {
    const before = await lockWebhook(unit, id);
    if (!before) throw webhookNotFound(id);
    const after = await updateWebhook(unit, id, checked);
    if (checked.eventPattern !== undefined || after.enabled !== before.enabled)
      await applyRule(context, after);
    return after;
  });
}

/** Deletes a webhook, its delivery log, its rule, then its queue and DLQ with what they hold. */
export async function removeWebhook(context: WebhooksContext, id: string): Promise<void> {
  const deleted = await context.inTransaction(async (unit) => {
    const found = await deleteWebhook(unit, id);
    if (found) await context.queues.deleteRule(id);
    return found;
  });
  if (!deleted) throw webhookNotFound(id);
  // After the commit: a delivery under way finishes first, and it must not wait on this transaction.
  await context.queues.remove(id).catch((error: unknown) => {
    // The webhook is gone and its events no longer routed; the next start removes what is left.
    context.logger.warn({ err: error, webhookId: id }, "could not delete a deleted webhook's queue");
  });
}

function compiled(eventPattern: EventPattern): EventPattern {
  try {
    compilePattern(eventPattern);
    return eventPattern;
  } catch (error) {
    if (!(error instanceof InvalidPatternError)) throw error;
    throw HttpProblem.badRequest(`The event pattern is not valid: ${error.message}`, [
      { path: "body.eventPattern", message: error.message },
    ]);
  }
}

function allowed(context: WebhooksContext, url: string): string {
  const verdict = checkWebhookUrl(url, context.settings.allowedHosts);
  if (verdict.ok) return url;
  const detail = `The webhook URL ${verdict.reason}`;
  const errors = [{ path: "body.url", message: verdict.reason }];
  throw verdict.status === 400
    ? HttpProblem.badRequest(detail, errors)
    : HttpProblem.unprocessable(detail, errors);
}
