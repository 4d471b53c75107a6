import type { QueueSettings } from "@mercato/platform";
import type { Webhook } from "../domain/webhook.ts";
import type { WebhooksContext } from "../resources.ts";
import type { WebhooksSettings } from "../settings.ts";
import { allWebhooks, webhookIds } from "../store/webhooks.ts";
import { deliverToWebhook } from "./deliver-to-webhook.ts";

/** The longest wait for a retry, however many attempts are allowed. */
const maxRetryDelayMs = 60 * 60 * 1000;
/** Time a handler gets beyond the receiver's time limit: reading the webhook, logging the attempt. */
const handlerMarginMs = 30_000;

/** Each webhook's queue: its attempts, its backoff, and time enough for one attempt to finish. */
export function queueSettingsOf(settings: WebhooksSettings): Omit<QueueSettings, "concurrency"> {
  return {
    visibilityTimeoutMs: settings.timeoutMs + handlerMarginMs,
    maxReceiveCount: settings.maxAttempts,
    backoff: { baseMs: settings.retryBaseMs, maxMs: Math.max(settings.retryBaseMs, maxRetryDelayMs) },
  };
}

/** Routes the webhook's events to its queue while it is enabled; a disabled webhook has no rule. */
export async function applyRule(context: WebhooksContext, webhook: Webhook): Promise<void> {
  if (webhook.enabled) await context.queues.putRule(webhook.id, webhook.eventPattern);
  else await context.queues.deleteRule(webhook.id);
}

/**
 * At start: the queue, rule and consumer of every webhook (settings may have changed since the last
 * run), and no queue of a webhook that is gone (a deletion cut short). Queues are listed before
 * webhooks are read: a creation elsewhere commits its webhook before it declares the queue, so a
 * queue listed here whose webhook is not found was left behind.
 */
export async function openAllWebhookQueues(context: WebhooksContext): Promise<void> {
  const declared = await context.queues.declared();
  const webhooks = await allWebhooks(context.db);
  const ids = new Set(webhooks.map((webhook) => webhook.id));
  for (const id of declared) {
    if (!ids.has(id)) await context.queues.remove(id);
  }
  for (const webhook of webhooks) await openWebhookQueue(context, webhook);
}

/** Declares the webhook's queue and DLQ, routes its events there, and delivers them from this process. */
export async function openWebhookQueue(context: WebhooksContext, webhook: Webhook): Promise<void> {
  await context.queues.declare(webhook.id, queueSettingsOf(context.settings));
  await applyRule(context, webhook);
  await context.queues.consume(webhook.id, deliverToWebhook(webhook.id));
}

/**
 * Makes this process consume the queue of every webhook and no other: webhooks created or deleted
 * through another process are picked up here. Never declares anything, so a webhook deleted
 * meanwhile cannot come back; a queue not declared yet is tried again at the next run.
 */
export async function followWebhooks(context: WebhooksContext): Promise<void> {
  const ids = new Set(await webhookIds(context.db));
  for (const id of context.queues.consumed()) {
    if (!ids.has(id)) await context.queues.stopConsuming(id);
  }
  const consumed = new Set(context.queues.consumed());
  const missing = [...ids].filter((id) => !consumed.has(id));
  const results = await Promise.allSettled(
    missing.map((id) => context.queues.consume(id, deliverToWebhook(id))),
  );
  const failed = results.filter((result) => result.status === "rejected");
  if (failed.length > 0) {
    context.logger.warn(
      { count: failed.length, err: (failed[0] as PromiseRejectedResult).reason },
      "could not consume some webhook queues yet; trying again at the next sync",
    );
  }
}
