/** Handler slots of one consumer in this process, with a wake-up for whoever waits on a change. */
export class Slots {
  #free: number;
  #wake: (() => void)[] = [];

  constructor(readonly size: number) {
    this.#free = size;
  }

  get free(): number {
    return this.#free;
  }

  take(count: number): void {
    this.#free -= count;
  }

  release(count = 1): void {
    if (count <= 0) return;
    this.#free += count;
    this.notify();
  }

  /** Wakes every waiter, to re-check its condition (also used on stop). */
  notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const resolve of wake) resolve();
  }

  changed(): Promise<void> {
    return new Promise((resolve) => this.#wake.push(resolve));
  }

  async acquire(): Promise<void> {
    while (this.#free === 0) await this.changed();
    this.#free--;
  }
}
