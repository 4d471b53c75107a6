import type { NotificationType } from "@mercato/contracts";

/** What a notification says, before it is stored: its text and where it leads in the shop. */
export interface NotificationDraft {
  type: NotificationType;
  title: string;
  body: string;
  /** A path of the shop's web UI (`/orders/{id}`, `/products/{id}`). */
  link: string;
}

/** A stored notification, as the inbox and the stream show it. */
export interface StoredNotification extends NotificationDraft {
  id: string;
  /** Commit order: what paging and the stream's resume follow. */
  seq: number;
  userId: string;
  createdAt: Date;
  readAt: Date | null;
}
