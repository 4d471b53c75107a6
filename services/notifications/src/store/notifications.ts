import { causedBy, type EventEnvelope, NotificationSent, type NotificationType } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import { type Kysely, type Selectable, sql } from "kysely";
import { v7 as uuidv7 } from "uuid";
import type { NotificationDraft, StoredNotification } from "../domain/notification.ts";
import type { NotificationsTable, NotificationsTables } from "./tables.ts";

/** The NOTIFY channel the live feed listens on; delivered when a notification's transaction commits. */
export const notificationsChannel = "mercato_notifications";

export interface Recipient {
  userId: string;
  draft: NotificationDraft;
}

/**
 * Records the notifications `event` causes, at most one per user and event however often it is
 * delivered, queues their emails and announces them (NotificationSent) in the same transaction.
 *
 * Writers take one transaction-scoped lock before the insert draws `seq`, so notifications commit
 * in `seq` order: a reader that has seen `seq` n never later finds a committed n - 1 it missed,
 * which is what makes paging and the stream's Last-Event-ID resume gapless.
 */
export async function recordNotifications(
  { transaction, publish }: UnitOfWork<NotificationsTables>,
  recipients: Recipient[],
  event: EventEnvelope,
): Promise<StoredNotification[]> {
  if (recipients.length === 0) return [];
  await lockNotificationOrder(transaction);
  const rows = await transaction
    .insertInto("notifications")
    .values(
      recipients.map(({ userId, draft }) => ({
        id: uuidv7(),
        user_id: userId,
        type: draft.type,
        title: draft.title,
        body: draft.body,
        link: draft.link,
        source_event_id: event.id,
      })),
    )
    .onConflict((conflict) => conflict.columns(["user_id", "source_event_id"]).doNothing())
    .returningAll()
    .execute();
  if (rows.length === 0) return [];
  await transaction
    .insertInto("email_deliveries")
    .values(rows.map((row) => ({ notification_id: row.id, last_error: null, sent_at: null })))
    .execute();
  await publish(
    rows.map((row) =>
      NotificationSent.create(
        {
          notificationId: row.id,
          userId: row.user_id,
          type: row.type as NotificationType,
          link: row.link,
          sourceEventId: event.id,
        },
        causedBy(event),
      ),
    ),
  );
  await sql`SELECT pg_notify(${notificationsChannel}, '')`.execute(transaction);
  return rows.map(notificationOf);
}

/**
 * Serializes the transactions that write notifications until they commit. Take it before any
 * row lock the same transaction will hold (watches), so two writers never wait on each other.
 */
export async function lockNotificationOrder(transaction: Kysely<NotificationsTables>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('mercato:notifications:seq'))`.execute(transaction);
}

export interface NotificationPage {
  items: StoredNotification[];
  more: boolean;
}

/** A user's notifications, newest first, from just before `beforeSeq` when given. */
export async function listNotifications(
  db: Kysely<NotificationsTables>,
  query: { userId: string; unreadOnly: boolean; limit: number; beforeSeq?: number | undefined },
): Promise<NotificationPage> {
  let select = db
    .selectFrom("notifications")
    .selectAll()
    .where("user_id", "=", query.userId)
    .orderBy("seq", "desc")
    .limit(query.limit + 1);
  if (query.unreadOnly) select = select.where("read_at", "is", null);
  if (query.beforeSeq !== undefined) select = select.where("seq", "<", query.beforeSeq);
  const rows = await select.execute();
  return { items: rows.slice(0, query.limit).map(notificationOf), more: rows.length > query.limit };
}

export async function countUnread(db: Kysely<NotificationsTables>, userId: string): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<number | string>().as("count"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Marks one of the user's notifications read (keeping the first time); false when it is not theirs. */
export async function markRead(
  db: Kysely<NotificationsTables>,
  userId: string,
  id: string,
): Promise<boolean> {
  const row = await db
    .updateTable("notifications")
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function markAllRead(db: Kysely<NotificationsTables>, userId: string): Promise<void> {
  await db
    .updateTable("notifications")
    .set({ read_at: sql<Date>`now()` })
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .execute();
}

/** The user's notifications committed after `afterSeq`, oldest first: what a stream sends next. */
export async function notificationsAfter(
  db: Kysely<NotificationsTables>,
  userId: string,
  afterSeq: number,
  limit: number,
): Promise<StoredNotification[]> {
  const rows = await db
    .selectFrom("notifications")
    .selectAll()
    .where("user_id", "=", userId)
    .where("seq", ">", afterSeq)
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map(notificationOf);
}

/** Where the user's notification `id` sits in commit order; undefined when it is not theirs. */
export async function seqOf(
  db: Kysely<NotificationsTables>,
  userId: string,
  id: string,
): Promise<number | undefined> {
  const row = await db
    .selectFrom("notifications")
    .select("seq")
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row && Number(row.seq);
}

/** The last committed `seq` (0 when there is none). */
export async function latestSeq(db: Kysely<NotificationsTables>): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** Who got notifications committed after `afterSeq`, in commit order. */
export async function recipientsAfter(
  db: Kysely<NotificationsTables>,
  afterSeq: number,
  limit: number,
): Promise<{ seq: number; userId: string }[]> {
  const rows = await db
    .selectFrom("notifications")
    .select(["seq", "user_id"])
    .where("seq", ">", afterSeq)
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((row) => ({ seq: Number(row.seq), userId: row.user_id }));
}

function notificationOf(row: Selectable<NotificationsTable>): StoredNotification {
  return {
    id: row.id,
    seq: Number(row.seq),
    userId: row.user_id,
    type: row.type as NotificationType,
    title: row.title,
    body: row.body,
    link: row.link,
    createdAt: row.created_at,
    readAt: row.read_at,
  };
}
