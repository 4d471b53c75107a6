import type { Logger, ServiceDatabase } from "@mercato/platform";
import { latestSeq, notificationsChannel, recipientsAfter } from "../store/notifications.ts";
import type { NotificationsTables } from "../store/tables.ts";

/** What the feed needs of an open stream. */
export interface FeedSubscriber {
  userId: string;
  /** Something for this user committed: read the store from where the stream is. */
  wake(): void;
  /** The server is closing: end the response now. */
  close(): void;
}

/** Rows read per look at the store. */
const batch = 500;

/**
 * Tells open streams that their user has new notifications. It learns of them from the store
 * itself: writers NOTIFY in their transaction, which the database delivers only once it commits,
 * and the feed then reads who got notifications past the last `seq` it saw (commit order, see
 * recordNotifications) and wakes their streams. Streams read their notifications from the store,
 * never from memory, so a stream misses nothing whatever arrives while it connects or resumes.
 *
 * The notifications service is the only writer of its table, so this holds in one process and
 * with several notifications processes on one PostgreSQL (each hears the others' commits). A
 * look every few seconds while streams are open covers a NOTIFY lost with its connection.
 */
export class NotificationFeed {
  private readonly subscribers = new Map<string, Set<FeedSubscriber>>();
  private seenSeq = 0;
  private looking: Promise<void> | undefined;
  private lookAgain = false;
  private unlisten: (() => Promise<void>) | undefined;
  private fallback: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: ServiceDatabase<NotificationsTables>,
    private readonly logger: Logger,
    private readonly fallbackMs = 5_000,
  ) {}

  async start(): Promise<void> {
    this.seenSeq = await latestSeq(this.database.db);
    this.unlisten = await this.database.listen(notificationsChannel, () => this.look());
    this.fallback = setInterval(() => {
      if (this.subscribers.size > 0) this.look();
    }, this.fallbackMs);
    this.fallback.unref();
  }

  /** Ends every open stream (the server is closing); each client resumes elsewhere or later. */
  closeAll(): void {
    for (const subscribers of this.subscribers.values()) {
      for (const subscriber of subscribers) subscriber.close();
    }
    this.subscribers.clear();
  }

  async stop(): Promise<void> {
    clearInterval(this.fallback);
    this.closeAll();
    await this.unlisten?.();
    await this.looking;
  }

  /** Answers the function that removes the subscriber. */
  subscribe(subscriber: FeedSubscriber): () => void {
    let set = this.subscribers.get(subscriber.userId);
    if (!set) {
      set = new Set();
      this.subscribers.set(subscriber.userId, set);
    }
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(subscriber.userId) === set) {
        this.subscribers.delete(subscriber.userId);
      }
    };
  }

  /** One look at a time; a wake during a look asks for another right after it. */
  private look(): void {
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    this.looking = this.readNew()
      .catch((error: unknown) =>
        this.logger.error({ err: error }, "notification feed could not read the store"),
      )
      .finally(() => {
        this.looking = undefined;
        if (this.lookAgain) {
          this.lookAgain = false;
          this.look();
        }
      });
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const rows = await recipientsAfter(this.database.db, this.seenSeq, batch);
      const users = new Set(rows.map((row) => row.userId));
      for (const userId of users) {
        for (const subscriber of this.subscribers.get(userId) ?? []) subscriber.wake();
      }
      const last = rows.at(-1);
      if (last) this.seenSeq = last.seq;
      if (rows.length < batch) return;
    }
  }
}
