import type { EventPattern, UnitOfWork } from "@mercato/platform";
import type { Kysely, Selectable } from "kysely";
import type { Webhook, WebhookChanges } from "../domain/webhook.ts";
import type { WebhooksTables } from "./tables.ts";

type WebhookRow = Selectable<WebhooksTables["webhooks"]>;

const columns = ["id", "url", "event_pattern", "description", "enabled", "created_at", "updated_at"] as const;

function webhookOf(row: Omit<WebhookRow, "sealed_secret">): Webhook {
  return {
    id: row.id,
    url: row.url,
    eventPattern: row.event_pattern as EventPattern,
    description: row.description,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertWebhook(
  { transaction }: UnitOfWork<WebhooksTables>,
  webhook: {
    id: string;
    url: string;
    eventPattern: EventPattern;
    description: string | null;
    sealedSecret: string;
  },
): Promise<Webhook> {
  const row = await transaction
    .insertInto("webhooks")
    .values({
      id: webhook.id,
      url: webhook.url,
      event_pattern: JSON.stringify(webhook.eventPattern),
      description: webhook.description,
      enabled: true,
      sealed_secret: webhook.sealedSecret,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return webhookOf(row);
}

export async function findWebhook(db: Kysely<WebhooksTables>, id: string): Promise<Webhook | undefined> {
  const row = await db.selectFrom("webhooks").select(columns).where("id", "=", id).executeTakeFirst();
  return row && webhookOf(row);
}

/**
 * What a delivery of `eventId` needs, in one query: where to send, the sealed secret to sign with,
 * and whether an earlier attempt delivered the event already (then a redelivery sends nothing).
 */
export async function findDeliveryTarget(
  db: Kysely<WebhooksTables>,
  id: string,
  eventId: string,
): Promise<{ url: string; enabled: boolean; sealedSecret: string; delivered: boolean } | undefined> {
  const row = await db
    .selectFrom("webhooks")
    .select((select) => [
      "url",
      "enabled",
      "sealed_secret",
      select
        .exists(
          select
            .selectFrom("webhook_deliveries")
            .select("webhook_deliveries.id")
            .whereRef("webhook_deliveries.webhook_id", "=", "webhooks.id")
            .where("webhook_deliveries.event_id", "=", eventId)
            .where("webhook_deliveries.response_status", ">=", 200)
            .where("webhook_deliveries.response_status", "<=", 299),
        )
        .as("delivered"),
    ])
    .where("id", "=", id)
    .executeTakeFirst();
  return (
    row && {
      url: row.url,
      enabled: row.enabled,
      sealedSecret: row.sealed_secret,
      delivered: Boolean(row.delivered),
    }
  );
}

/** Newest first (ids are UUIDv7, so in creation order); `afterId` is the last of the previous page. */
export async function listWebhooks(
  db: Kysely<WebhooksTables>,
  page: { limit: number; afterId?: string | undefined },
): Promise<Webhook[]> {
  let query = db.selectFrom("webhooks").select(columns).orderBy("id", "desc").limit(page.limit);
  if (page.afterId !== undefined) query = query.where("id", "<", page.afterId);
  return (await query.execute()).map(webhookOf);
}

/** Every webhook (there are at most `maxWebhooks`). */
export async function allWebhooks(db: Kysely<WebhooksTables>): Promise<Webhook[]> {
  return (await db.selectFrom("webhooks").select(columns).orderBy("id").execute()).map(webhookOf);
}

export async function countWebhooks(db: Kysely<WebhooksTables>): Promise<number> {
  const row = await db
    .selectFrom("webhooks")
    .select((select) => select.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function webhookIds(db: Kysely<WebhooksTables>): Promise<string[]> {
  return (await db.selectFrom("webhooks").select("id").execute()).map((row) => row.id);
}

/** The webhook as it is now, locked until the transaction ends; undefined when there is none. */
export async function lockWebhook(
  { transaction }: UnitOfWork<WebhooksTables>,
  id: string,
): Promise<Webhook | undefined> {
  const row = await transaction
    .selectFrom("webhooks")
    .select(columns)
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  return row && webhookOf(row);
}

export async function updateWebhook(
  { transaction }: UnitOfWork<WebhooksTables>,
  id: string,
  changes: WebhookChanges,
): Promise<Webhook> {
  const row = await transaction
    .updateTable("webhooks")
    .set({
      ...(changes.url === undefined ? {} : { url: changes.url }),
      ...(changes.eventPattern === undefined ? {} : { event_pattern: JSON.stringify(changes.eventPattern) }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
      updated_at: new Date(),
    })
    .where("id", "=", id)
    .returning(columns)
    .executeTakeFirstOrThrow();
  return webhookOf(row);
}

/** Deletes the webhook and its delivery log; false when there was none. */
export async function deleteWebhook(
  { transaction }: UnitOfWork<WebhooksTables>,
  id: string,
): Promise<boolean> {
  await transaction.deleteFrom("webhook_deliveries").where("webhook_id", "=", id).execute();
  const result = await transaction.deleteFrom("webhooks").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
