import type { QueuedMessage } from "./queued-message.ts";

const maxTimerDelayMs = 2 ** 31 - 1;

interface DueEntry {
  at: number;
  message: QueuedMessage;
  dueVersion: number;
}

/**
 * One timer for every delayed and in-flight message of a transport: a min-heap of due times and a
 * single setTimeout for the earliest. Rescheduling a message leaves its old entry in the heap;
 * entries whose version no longer matches the message are dropped when they surface.
 */
export class DueTimer {
  private readonly heap: DueEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly onDue: (message: QueuedMessage) => void) {}

  /** Sets the message's due time and calls onDue for it then, unless it is rescheduled or removed. */
  schedule(message: QueuedMessage, at: number): void {
    message.dueAt = at;
    message.dueVersion++;
    this.push({ at, message, dueVersion: message.dueVersion });
    if (at < this.armedFor) this.arm(at);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.heap.length = 0;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.armedFor = at;
    // setTimeout fires at once for delays past 2^31-1 ms; a timer that fires early just re-arms.
    this.timer = setTimeout(() => this.fire(), Math.min(maxTimerDelayMs, Math.max(0, at - Date.now())));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (let top = this.heap[0]; top && top.at <= now; top = this.heap[0]) {
      this.pop();
      const { message } = top;
      if (!message.removed && message.dueVersion === top.dueVersion) this.onDue(message);
    }
    const next = this.heap[0];
    if (next && next.at < this.armedFor) this.arm(next.at);
  }

  private push(entry: DueEntry): void {
    const heap = this.heap;
    let index = heap.push(entry) - 1;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as DueEntry;
      if (parent.at <= entry.at) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && (heap[right] as DueEntry).at < (heap[left] as DueEntry).at ? right : left;
      if ((heap[child] as DueEntry).at >= last.at) break;
      heap[index] = heap[child] as DueEntry;
      index = child;
    }
    heap[index] = last;
  }
}
