import { causedBy, type EventEnvelope, WebhookDelivered, WebhookFailed } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import type { Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import type { AttemptOutcome } from "../domain/attempt-outcome.ts";
import type { DeliveryAttempt } from "../domain/webhook.ts";
import type { WebhooksTables } from "./tables.ts";

/** True when an earlier attempt delivered the event: a redelivery of the message sends nothing. */
export async function wasDelivered(
  db: Kysely<WebhooksTables>,
  webhookId: string,
  eventId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("webhook_id", "=", webhookId)
    .where("event_id", "=", eventId)
    .where("response_status", ">=", 200)
    .where("response_status", "<=", 299)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Writes one attempt to the delivery log and publishes what came of it. Attempts are numbered per
 * webhook and event, so the numbers go on after a redrive from the dead-letter queue.
 */
export async function recordAttempt(
  { transaction, publish }: UnitOfWork<WebhooksTables>,
  attempt: { webhookId: string; event: EventEnvelope; outcome: AttemptOutcome; willRetry: boolean },
): Promise<number> {
  const { webhookId, event, outcome } = attempt;
  const earlier = await transaction
    .selectFrom("webhook_deliveries")
    .select((select) => select.fn.countAll<number>().as("count"))
    .where("webhook_id", "=", webhookId)
    .where("event_id", "=", event.id)
    .executeTakeFirstOrThrow();
  const number = Number(earlier.count) + 1;
  await transaction
    .insertInto("webhook_deliveries")
    .values({
      id: uuidv7(),
      webhook_id: webhookId,
      event_id: event.id,
      attempt: number,
      response_status: outcome.responseStatus,
      error: outcome.error,
      duration_ms: outcome.durationMs,
    })
    .execute();
  const common = { webhookId, eventId: event.id, attempt: number, durationMs: outcome.durationMs };
  const context = { ...causedBy(event), resources: [webhookId] };
  await publish([
    outcome.delivered && outcome.responseStatus !== null
      ? WebhookDelivered.create({ ...common, responseStatus: outcome.responseStatus }, context)
      : WebhookFailed.create(
          {
            ...common,
            responseStatus: outcome.responseStatus,
            error: outcome.error ?? "failed",
            willRetry: attempt.willRetry,
          },
          context,
        ),
  ]);
  return number;
}

/** A webhook's attempts, newest first; `afterId` is the last attempt of the previous page. */
export async function listDeliveries(
  db: Kysely<WebhooksTables>,
  webhookId: string,
  page: { limit: number; afterId?: string | undefined },
): Promise<DeliveryAttempt[]> {
  let query = db
    .selectFrom("webhook_deliveries")
    .select(["id", "event_id", "attempt", "at", "response_status", "error", "duration_ms"])
    .where("webhook_id", "=", webhookId)
    .orderBy("id", "desc")
    .limit(page.limit);
  if (page.afterId !== undefined) query = query.where("id", "<", page.afterId);
  return (await query.execute()).map((row) => ({
    id: row.id,
    eventId: row.event_id,
    attempt: row.attempt,
    at: row.at,
    responseStatus: row.response_status,
    error: row.error,
    durationMs: row.duration_ms,
  }));
}

/** Forgets attempts made before `before`. */
export async function pruneDeliveries(db: Kysely<WebhooksTables>, before: Date): Promise<number> {
  const result = await db.deleteFrom("webhook_deliveries").where("at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
