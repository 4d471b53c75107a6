import { Deque } from "./deque.ts";
import type { QueuedMessage } from "./queued-message.ts";

/** Decides which ready message a queue delivers next. */
export interface ReadyOrder {
  /** A message entered the queue (ready or delayed), after every message already in it. */
  add(message: QueuedMessage): void;
  /** A message that was delayed or in flight became ready. */
  becameReady(message: QueuedMessage): void;
  /** A message left the queue. */
  remove(message: QueuedMessage): void;
  /** The next deliverable message, if any; the caller marks it in flight. */
  take(): QueuedMessage | undefined;
}

/** Standard queue: ready messages in the order they became ready. */
export class StandardReadyOrder implements ReadyOrder {
  private readonly ready = new Deque<QueuedMessage>();

  add(message: QueuedMessage): void {
    if (message.state === "ready") this.ready.push(message);
  }

  becameReady(message: QueuedMessage): void {
    this.ready.push(message);
  }

  /** Removed messages are skipped lazily by `take`, which keeps removal O(1). */
  remove(): void {}

  take(): QueuedMessage | undefined {
    for (let message = this.ready.shift(); message; message = this.ready.shift()) {
      if (message.state === "ready" && !message.removed) return message;
    }
    return undefined;
  }
}

interface Group {
  readonly messages: Deque<QueuedMessage>;
  /** Whether the group sits in the list of groups whose head can be delivered. */
  offered: boolean;
}

/**
 * FIFO queue: only the head of a group can be delivered, and it stays the head until it is
 * acknowledged or dead-lettered, so a failing head blocks its group and no other.
 */
export class FifoReadyOrder implements ReadyOrder {
  private readonly groups = new Map<string, Group>();
  private readonly offeredGroups = new Deque<Group>();

  add(message: QueuedMessage): void {
    const key = message.groupId ?? "";
    let group = this.groups.get(key);
    if (!group) {
      group = { messages: new Deque(), offered: false };
      this.groups.set(key, group);
    }
    group.messages.push(message);
    if (group.messages.length === 1) this.offer(group);
  }

  becameReady(message: QueuedMessage): void {
    const group = this.groups.get(message.groupId ?? "");
    if (group && group.messages.peek() === message) this.offer(group);
  }

  remove(message: QueuedMessage): void {
    const key = message.groupId ?? "";
    const group = this.groups.get(key);
    if (!group) return;
    if (group.messages.peek() === message) group.messages.shift();
    else group.messages.remove(message);
    if (group.messages.length === 0) this.groups.delete(key);
    else this.offer(group);
  }

  take(): QueuedMessage | undefined {
    for (let group = this.offeredGroups.shift(); group; group = this.offeredGroups.shift()) {
      group.offered = false;
      const head = group.messages.peek();
      if (head && head.state === "ready") return head;
    }
    return undefined;
  }

  private offer(group: Group): void {
    if (group.offered || group.messages.peek()?.state !== "ready") return;
    group.offered = true;
    this.offeredGroups.push(group);
  }
}
