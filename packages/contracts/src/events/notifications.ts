import { z } from "zod";
import { defineEvent } from "../event-type.ts";
import { notificationTypeSchema } from "../notification-types.ts";

const source = "mercato.notifications";

export const NotificationSent = defineEvent({
  source,
  detailType: "NotificationSent",
  description:
    "A user was notified: the notification is in their inbox and live stream, and its email is queued. Once per user and source event.",
  detail: z.object({
    notificationId: z.string().min(1).max(64),
    userId: z.string().min(1).max(200),
    type: notificationTypeSchema,
    link: z.string().max(500),
    sourceEventId: z.string().min(1).max(200),
  }),
});
