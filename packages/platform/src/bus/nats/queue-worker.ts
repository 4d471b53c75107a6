import type { Consumer, ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import type { Handler, QueueConfig } from "../transport.ts";
import { partitionsOf } from "./names.ts";
import { QueueDelivery, type WorkerContext } from "./queue-delivery.ts";
import { Slots } from "./slots.ts";

/** How long one pull request waits for messages before it is renewed. */
const FETCH_EXPIRES_MS = 30_000;
/** A FIFO partition hands out one message at a time; one pull request serves many of them. */
const FIFO_FETCH_MESSAGES = 64;
const RETRY_FETCH_AFTER_MS = 1_000;

/**
 * Runs a handler over one queue in this process. A standard queue pulls batches sized to the free
 * handler slots, so nothing waits in a local buffer while its visibility timeout runs; a FIFO queue
 * runs one loop per partition, each handling its messages one after another.
 */
export class QueueWorker {
  readonly #slots: Slots;
  readonly #fetches = new Set<ConsumerMessages>();
  readonly #running = new Set<Promise<void>>();
  readonly #delivery: QueueDelivery;
  #loops: Promise<void>[] = [];
  #stopping = false;

  constructor(
    private readonly context: WorkerContext,
    private readonly config: QueueConfig,
    handler: Handler,
    concurrency: number,
  ) {
    this.#slots = new Slots(concurrency);
    this.#delivery = new QueueDelivery(context, config, handler, (work) => this.#inBackground(work));
  }

  async start(): Promise<void> {
    const { js, names } = this.context;
    const stream = names.queueStream(this.config.name);
    const consumers = await Promise.all(
      partitionsOf(this.config.fifo !== undefined).map((partition) =>
        js.consumers.get(stream, names.consumerName(partition)),
      ),
    );
    this.#loops = this.config.fifo
      ? consumers.map((consumer) => this.#pullInOrder(consumer))
      : consumers.map((consumer) => this.#pullInBatches(consumer));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#slots.notify();
    await Promise.all([...this.#fetches].map((fetch) => fetch.close()));
    await Promise.all(this.#loops);
    await Promise.all(this.#running);
    this.context.acks.flush();
  }

  async #pullInBatches(consumer: Consumer): Promise<void> {
    const enough = Math.ceil(this.#slots.size / 2);
    while (!this.#stopping) {
      if (this.#slots.free < enough && !(this.#slots.free > 0 && this.#fetches.size === 0)) {
        await this.#slots.changed();
        continue;
      }
      const reserved = this.#slots.free;
      this.#slots.take(reserved);
      const batch = await this.#fetch(consumer, reserved);
      if (!batch) {
        this.#slots.release(reserved);
        continue;
      }
      void this.#runBatch(batch, reserved);
    }
  }

  async #runBatch(batch: ConsumerMessages, reserved: number): Promise<void> {
    let received = 0;
    try {
      for await (const message of batch) {
        received++;
        const receivedAt = Date.now();
        const run = this.#handle(message, receivedAt).finally(() => {
          this.#running.delete(run);
          this.#slots.release();
        });
        this.#running.add(run);
      }
    } catch (error) {
      if (!this.#stopping)
        this.context.logger.warn({ err: error, queue: this.config.name }, "bus pull ended");
    } finally {
      this.#fetches.delete(batch);
      this.#slots.release(reserved - received);
    }
  }

  async #pullInOrder(consumer: Consumer): Promise<void> {
    while (!this.#stopping) {
      const batch = await this.#fetch(consumer, FIFO_FETCH_MESSAGES);
      if (!batch) continue;
      try {
        for await (const message of batch) {
          const receivedAt = Date.now();
          await this.#slots.acquire();
          const run = this.#handle(message, receivedAt);
          this.#running.add(run);
          await run;
          this.#running.delete(run);
          this.#slots.release();
        }
      } catch (error) {
        if (!this.#stopping)
          this.context.logger.warn({ err: error, queue: this.config.name }, "bus pull ended");
      } finally {
        this.#fetches.delete(batch);
      }
    }
  }

  /** A pull request for up to `count` messages, or undefined when stopping or the server failed. */
  async #fetch(consumer: Consumer, count: number): Promise<ConsumerMessages | undefined> {
    try {
      const batch = await consumer.fetch({ max_messages: count, expires: FETCH_EXPIRES_MS });
      if (this.#stopping) {
        await batch.close();
        return undefined;
      }
      this.#fetches.add(batch);
      return batch;
    } catch (error) {
      if (this.#stopping) return undefined;
      this.context.logger.warn({ err: error, queue: this.config.name }, "bus pull failed; retrying");
      await new Promise((resolve) => setTimeout(resolve, RETRY_FETCH_AFTER_MS));
      return undefined;
    }
  }

  /** Never rejects: whatever goes wrong, the message stays in its queue for another delivery. */
  #handle(message: JsMsg, receivedAt: number): Promise<void> {
    return this.#delivery.deliver(message, receivedAt).catch((error: unknown) => {
      this.context.logger.error({ err: error, queue: this.config.name }, "bus delivery failed");
    });
  }

  /** Work that `stop()` waits for but that holds no handler slot. */
  #inBackground(work: Promise<unknown>): void {
    const tracked = work.then(
      () => {},
      () => {},
    );
    this.#running.add(tracked);
    void tracked.finally(() => this.#running.delete(tracked));
  }
}
