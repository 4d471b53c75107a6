import path from "node:path";
import type { ServiceContext } from "@mercato/platform";
import { NotificationFeed } from "./api/notification-feed.ts";
import { type MailTransport, mailTransport } from "./clients/mail-transport.ts";
import type { NotificationsSettings } from "./settings.ts";
import type { NotificationsTables } from "./store/tables.ts";

/** What routes and tasks share in one run: the live feed of open streams and the mail transport. */
export interface NotificationsResources {
  feed: NotificationFeed;
  mail: MailTransport;
}

export function notificationsResources({
  config,
  database,
  logger,
  settings,
}: ServiceContext<NotificationsTables, NotificationsSettings, undefined>): NotificationsResources {
  return {
    feed: new NotificationFeed(database, logger),
    mail: mailTransport({ smtpUrl: settings.mail.smtpUrl, mailDir: path.join(config.dataDir, "mail") }),
  };
}
