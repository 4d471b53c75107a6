import { PassThrough } from "node:stream";
import type { Logger } from "@mercato/platform";
import type { StoredNotification } from "../domain/notification.ts";
import type { FeedSubscriber } from "./notification-feed.ts";
import { notificationBody } from "./notification-schemas.ts";

/** Notifications read from the store per query while catching up. */
const page = 100;

/** How long an EventSource waits before it reconnects (the `retry:` field). */
const reconnectMs = 2_000;

export interface NotificationStreamOptions {
  userId: string;
  /** The `seq` of the last notification the client has; the stream sends those after it. */
  afterSeq: number;
  /** The user's notifications after a `seq`, oldest first. */
  read(afterSeq: number, limit: number): Promise<StoredNotification[]>;
  keepAliveMs: number;
  logger: Logger;
}

/**
 * One client's `text/event-stream`: every notification of the user after `afterSeq`, read from
 * the store whenever the feed wakes it, as `id:` (the notification id, what the client sends back
 * as Last-Event-ID), `event: notification` and `data:` (the notification as JSON, one line), and a
 * `: keep-alive` comment line every `keepAliveMs`. A slow reader is waited for (the store keeps
 * what it has not taken), never buffered for.
 */
export class NotificationStream implements FeedSubscriber {
  readonly body = new PassThrough();
  readonly userId: string;
  private afterSeq: number;
  private pending = true;
  private closed = false;
  private wakeUp: (() => void) | undefined;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(private readonly options: NotificationStreamOptions) {
    this.userId = options.userId;
    this.afterSeq = options.afterSeq;
  }

  /** Sends until closed: catches up from the store, then waits to be woken. */
  async run(): Promise<void> {
    this.body.write(`retry: ${reconnectMs}\n\n`);
    this.keepAlive = setInterval(() => this.body.write(": keep-alive\n\n"), this.options.keepAliveMs);
    try {
      while (!this.closed) {
        if (!this.pending) await new Promise<void>((resolve) => (this.wakeUp = resolve));
        this.pending = false;
        await this.sendNew();
      }
    } catch (error) {
      // The client reconnects with Last-Event-ID and resumes from the store.
      this.options.logger.warn({ err: error, userId: this.userId }, "notification stream ended on an error");
      this.close();
    }
  }

  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    this.wakeUp?.();
    this.body.end();
  }

  private async sendNew(): Promise<void> {
    for (;;) {
      const notifications = await this.options.read(this.afterSeq, page);
      for (const notification of notifications) {
        if (this.closed) return;
        const frame = `id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(notificationBody(notification))}\n\n`;
        this.afterSeq = notification.seq;
        if (!this.body.write(frame)) await this.drained();
      }
      if (notifications.length < page) return;
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.body.off("drain", done);
        this.body.off("close", done);
        resolve();
      };
      this.body.once("drain", done);
      this.body.once("close", done);
    });
  }
}
