import { useEffect } from "preact/hooks";
import { followNotifications, useUnreadCount } from "../api/notifications.ts";

/** The header's link to the inbox with the unread count, kept live from the stream while signed in. */
export function NotificationsLink({ userId }: { userId: string }) {
  const count = useUnreadCount();
  useEffect(() => {
    const stop = new AbortController();
    followNotifications(stop.signal);
    return () => stop.abort();
  }, [userId]);
  return (
    <a href="/notifications">
      Notifications
      {count > 0 && (
        <span class="badge" data-testid="unread-count">
          {count}
          <span class="visually-hidden"> unread</span>
        </span>
      )}
    </a>
  );
}
