import { notificationTypeSchema } from "@mercato/contracts";
import { cursorFields, listQuerySchema } from "@mercato/platform";
import { z } from "zod";
import type { StoredNotification } from "../domain/notification.ts";

export const notificationSchema = z
  .object({
    id: z.string(),
    type: notificationTypeSchema,
    title: z.string(),
    body: z.string(),
    link: z.string().describe("A path of the shop's web UI: /orders/{id} or /products/{id}"),
    createdAt: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "Notification" });

export type NotificationBody = z.infer<typeof notificationSchema>;

export function notificationBody(notification: StoredNotification): NotificationBody {
  return {
    id: notification.id,
    type: notification.type,
    title: notification.title,
    body: notification.body,
    link: notification.link,
    createdAt: notification.createdAt.toISOString(),
    readAt: notification.readAt?.toISOString() ?? null,
  };
}

export const notificationListQuerySchema = listQuerySchema
  .extend({
    unread: z
      .enum(["true", "false"])
      .optional()
      .transform((value) => value === "true")
      .describe("true: only the unread ones"),
  })
  .strict();

export const notificationPageSchema = z
  .object({
    items: z.array(notificationSchema),
    unreadCount: z.number().int().min(0),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "NotificationPage" });

/** A page ends at a notification; the next starts just before it in commit order. */
export const notificationCursorSchema = z.object({ seq: cursorFields.count }).strict();

export const notificationParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** The stream takes no query: a stray parameter is a mistake, answered before the stream opens. */
export const streamQuerySchema = z.object({}).strict();

export const streamHeadersSchema = z.object({
  "last-event-id": z
    .string()
    .max(64)
    .optional()
    .describe("The id of the last notification received: the stream sends every one after it"),
});
