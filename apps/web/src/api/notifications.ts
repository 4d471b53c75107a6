import { useEffect, useState } from "preact/hooks";
import { api, authorizedFetch } from "./client.ts";
import { readEventStream } from "./event-stream.ts";
import type { components } from "./openapi-types.ts";

export type Notification = components["schemas"]["Notification"];

let unread = 0;
const countListeners = new Set<(count: number) => void>();
const arrivalListeners = new Set<(notification: Notification) => void>();
let latestAsk = 0;

function setUnread(count: number): void {
  unread = count;
  for (const listener of countListeners) listener(count);
}

/**
 * Reads the unread count from the API rather than counting events, so that a notification that
 * arrives while the count is being read, or one read in another tab, is never counted twice or
 * missed; only the latest answer is kept.
 */
export async function refreshUnreadCount(): Promise<void> {
  latestAsk += 1;
  const ask = latestAsk;
  const answer = await api
    .GET("/api/notifications", { params: { query: { limit: 1 } } })
    .catch(() => ({ data: undefined }));
  if (answer.data && ask === latestAsk) setUnread(answer.data.unreadCount);
}

/** The signed-in user's live notifications, while `signal` is not aborted. */
export function followNotifications(signal: AbortSignal): void {
  void readEventStream({
    url: `${location.origin}/api/notifications/stream`,
    fetch: authorizedFetch,
    signal,
    onOpen: () => void refreshUnreadCount(),
    onEvent(event) {
      if (event.event !== "notification") return;
      const notification = JSON.parse(event.data) as Notification;
      for (const listener of arrivalListeners) listener(notification);
      void refreshUnreadCount();
    },
  });
  signal.addEventListener(
    "abort",
    () => {
      latestAsk += 1;
      setUnread(0);
    },
    { once: true },
  );
}

export function useUnreadCount(): number {
  const [count, setCount] = useState(unread);
  useEffect(() => {
    countListeners.add(setCount);
    setCount(unread);
    return () => countListeners.delete(setCount);
  }, []);
  return count;
}

/** Calls `listener` with each notification the stream brings while the component is mounted. */
export function useArrivals(listener: (notification: Notification) => void): void {
  useEffect(() => {
    arrivalListeners.add(listener);
    return () => arrivalListeners.delete(listener);
  }, [listener]);
}

/** Marks one notification read (or all of them when `id` is omitted); answers the API's error, if any. */
export async function markRead(id?: string): Promise<unknown> {
  const answer = await (id
    ? api.POST("/api/notifications/{id}/read", { params: { path: { id } } })
    : api.POST("/api/notifications/read-all")
  ).catch((failure: unknown) => ({ error: failure }));
  void refreshUnreadCount();
  return answer.error;
}
