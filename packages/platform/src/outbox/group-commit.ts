export interface Pending<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while earlier batches are running are gathered into the next
 * batch, so that a burst shares one transaction while a lone item still goes at once. `run` must
 * settle every pending entry of its batch.
 */
export class GroupCommit<T> {
  private readonly waiting: Pending<T>[] = [];
  private running = 0;

  constructor(
    private readonly run: (batch: Pending<T>[]) => Promise<void>,
    private readonly maxBatch: number,
    private readonly maxConcurrentBatches: number,
  ) {}

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.running < this.maxConcurrentBatches && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      this.run(batch)
        .catch((error: unknown) => {
          for (const pending of batch) pending.reject(error);
        })
        .finally(() => {
          this.running--;
          this.drain();
        });
    }
  }
}
