export type MessageState = "ready" | "delayed" | "inFlight";

/** What the transport keeps in memory for a message; the event itself stays in LMDB until delivery. */
export interface QueuedMessage {
  readonly id: string;
  readonly queue: string;
  readonly order: number;
  /** The FIFO group; undefined on a standard queue. */
  readonly groupId: string | undefined;
  readonly enqueuedAt: number;
  state: MessageState;
  /** Receives so far; a delivery whose count no longer matches has been superseded by a redelivery. */
  receiveCount: number;
  /** When a delayed message becomes ready, or when an in-flight message's visibility ends. */
  dueAt: number;
  /** Bumped whenever dueAt changes, so that timer entries for an older dueAt are ignored. */
  dueVersion: number;
  /** Acknowledged, dead-lettered or purged: nothing may touch it anymore. */
  removed: boolean;
}
