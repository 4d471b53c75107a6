import { z } from "zod";

/** The kinds of notification a user gets (api.md, "Notifications and watches"). */
export const notificationTypeSchema = z.enum([
  "order.confirmed",
  "order.rejected",
  "order.cancelled",
  "order.shipped",
  "order.delivered",
  "refund.issued",
  "price.dropped",
  "back-in-stock",
]);

export type NotificationType = z.infer<typeof notificationTypeSchema>;
