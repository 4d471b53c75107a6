import type { NotificationType } from "@mercato/contracts";
import { type Kysely, sql } from "kysely";
import type { NotificationsTables } from "./tables.ts";

/** An email due to be sent: its notification and, when identity announced them, the recipient. */
export interface DueEmail {
  notificationId: string;
  attempts: number;
  type: NotificationType;
  title: string;
  body: string;
  link: string;
  recipient: { email: string; name: string } | undefined;
}

/**
 * Takes up to `limit` due emails for this sender: their next attempt moves `leaseMs` ahead, so
 * another sender (another process) skips them, and a sender that dies mid-send leaves them to be
 * taken again once the lease is over.
 */
export async function claimDueEmails(
  db: Kysely<NotificationsTables>,
  limit: number,
  leaseMs: number,
): Promise<DueEmail[]> {
  const claimed = await sql<{ notification_id: string; attempts: number }>`
    UPDATE email_deliveries
    SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
    WHERE notification_id IN (
      SELECT notification_id FROM email_deliveries
      WHERE status = 'pending' AND next_attempt_at <= now()
      ORDER BY next_attempt_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING notification_id, attempts
  `.execute(db);
  if (claimed.rows.length === 0) return [];
  const attempts = new Map(claimed.rows.map((row) => [row.notification_id, row.attempts]));
  const rows = await db
    .selectFrom("notifications")
    .leftJoin("customers", "customers.user_id", "notifications.user_id")
    .select([
      "notifications.id",
      "notifications.type",
      "notifications.title",
      "notifications.body",
      "notifications.link",
      "customers.email",
      "customers.name",
    ])
    .where("notifications.id", "in", [...attempts.keys()])
    .orderBy("notifications.seq")
    .execute();
  return rows.map((row) => ({
    notificationId: row.id,
    attempts: attempts.get(row.id) ?? 0,
    type: row.type as NotificationType,
    title: row.title,
    body: row.body,
    link: row.link,
    recipient: row.email === null || row.name === null ? undefined : { email: row.email, name: row.name },
  }));
}

export async function markEmailSent(db: Kysely<NotificationsTables>, notificationId: string): Promise<void> {
  await db
    .updateTable("email_deliveries")
    .set({ status: "sent", sent_at: new Date(), attempts: sql`attempts + 1`, last_error: null })
    .where("notification_id", "=", notificationId)
    .execute();
}

/** Records a failed attempt: tried again at `retryAt`, or given up for good when it is null. */
export async function markEmailFailed(
  db: Kysely<NotificationsTables>,
  notificationId: string,
  error: string,
  retryAt: Date | null,
): Promise<void> {
  await db
    .updateTable("email_deliveries")
    .set({
      status: retryAt ? "pending" : "failed",
      attempts: sql`attempts + 1`,
      last_error: error.slice(0, 1000),
      ...(retryAt ? { next_attempt_at: retryAt } : {}),
    })
    .where("notification_id", "=", notificationId)
    .execute();
}
