import { causedBy, type EventEnvelope, WebhookDelivered, WebhookFailed } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import { type Kysely, sql } from "kysely";
import { v7 as uuidv7 } from "uuid";
import type { AttemptOutcome } from "../domain/attempt-outcome.ts";
import type { DeliveryAttempt } from "../domain/webhook.ts";
import type { WebhooksTables } from "./tables.ts";

/**
 * Writes one attempt to the delivery log and publishes what came of it. Attempts are numbered per
 * webhook and event, so the numbers go on after a redrive from the dead-letter queue.
 */
export async function recordAttempt(
  { transaction, publish }: UnitOfWork<WebhooksTables>,
  attempt: { webhookId: string; event: EventEnvelope; outcome: AttemptOutcome; willRetry: boolean },
): Promise<number> {
  const { webhookId, event, outcome } = attempt;
  // Numbered in the insert itself: one statement, and the count sees every earlier attempt.
  const { attempt: number } = await transaction
    .insertInto("webhook_deliveries")
    .columns(["id", "webhook_id", "event_id", "attempt", "response_status", "error", "duration_ms"])
    .expression((insert) =>
      insert
        .selectFrom("webhook_deliveries")
        .select((select) => [
          select.val(uuidv7()).as("id"),
          select.val(webhookId).as("webhook_id"),
          select.val(event.id).as("event_id"),
          sql<number>`count(*)::int + 1`.as("attempt"),
          sql<number | null>`${outcome.responseStatus}::int`.as("response_status"),
          select.val(outcome.error).as("error"),
          sql<number>`${outcome.durationMs}::int`.as("duration_ms"),
        ])
        .where("webhook_id", "=", webhookId)
        .where("event_id", "=", event.id),
    )
    .returning("attempt")
    .executeTakeFirstOrThrow();
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
