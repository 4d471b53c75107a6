import { defineService } from "@mercato/platform";
import { registerNotificationRoutes } from "./api/notification-routes.ts";
import { registerNotificationStream } from "./api/stream-route.ts";
import { registerWatchRoutes } from "./api/watch-routes.ts";
import { customerNotices } from "./handlers/customer-notices-subscription.ts";
import { productWatches } from "./handlers/product-watches-subscription.ts";
import { type NotificationsResources, notificationsResources } from "./resources.ts";
import { type NotificationsSettings, notificationsSettings } from "./settings.ts";
import type { NotificationsTables } from "./store/tables.ts";
import { mailDelivery } from "./tasks/mail-delivery.ts";

export { escapeHtml, notificationEmail } from "./domain/email.ts";
export type { NotificationsSettings } from "./settings.ts";
export type { NotificationsTables } from "./store/tables.ts";

/**
 * Tells users what they care about: their orders' progress and refunds, and the price drops and
 * restocks they watch for. Each notification lands in the user's inbox, on their live stream
 * and in their mailbox.
 */
export const notificationsService = defineService<
  NotificationsTables,
  NotificationsSettings,
  NotificationsResources
>({
  name: "notifications",
  migrations: new URL("../migrations/", import.meta.url),
  settings: notificationsSettings,
  resources: notificationsResources,
  routes(app, context) {
    registerNotificationRoutes(app, context);
    registerNotificationStream(app, context);
    registerWatchRoutes(app, context);
  },
  subscriptions: [customerNotices, productWatches],
  tasks: [mailDelivery],
  async onStart({ resources }) {
    await resources.feed.start();
  },
  async onStop({ resources }) {
    await resources.feed.stop();
    resources.mail.close();
  },
});
