import type { EventPattern, Handler, QueueConfig, Subscription, Transport } from "../bus/transport.ts";
import type { Logger } from "../log.ts";
import { withConsumeSpan } from "../tracing/trace-context.ts";
import type { QueueSettings, RuntimeHandler, RuntimeQueues, ServiceContext } from "./definition.ts";

export interface RuntimeQueueOptions<DB, Settings, Resources> {
  service: string;
  transport: Transport;
  logger: Logger;
  queueDefaults: Omit<QueueConfig, "name">;
  /** The queue names of the definition's subscriptions, which a key may not take. */
  staticQueues: string[];
  context(): ServiceContext<DB, Settings, Resources>;
  /** Wraps each handler the way the static subscriptions' are (duration metric, failure log). */
  instrument(queue: string, handler: Handler): Handler;
}

/** Handlers running at once per runtime queue in this process, unless `consume` says otherwise. */
const defaultConcurrency = 16;
/** The operations API's bound on queue names. */
const queueNameLength = 80;
const keyPattern = /^[a-z0-9][a-z0-9-]*$/;

type Phase = "preparing" | "running" | "stopped";

/** A consumer of this process: asked for, and started once the service runs. */
interface LocalConsumer {
  subscribe(): Promise<Subscription>;
  started?: Promise<Subscription>;
}

/** The host's side of `context.queues` for one running service. */
export class RuntimeQueueSet<DB, Settings, Resources> implements RuntimeQueues<DB, Settings, Resources> {
  readonly #consumers = new Map<string, LocalConsumer>();
  #phase: Phase = "preparing";

  constructor(private readonly options: RuntimeQueueOptions<DB, Settings, Resources>) {}

  nameOf(key: string): string {
    const name = `${this.options.service}-${key}`;
    if (!keyPattern.test(key) || name.length > queueNameLength) {
      throw new Error(
        `Runtime queue key "${key}" must be lowercase letters, digits and "-", and ${this.options.service}-<key> at most ${queueNameLength} characters`,
      );
    }
    if (this.options.staticQueues.includes(name)) {
      throw new Error(`Runtime queue ${name} would take the name of a subscription's queue`);
    }
    return name;
  }

  async declare(key: string, settings: Omit<QueueSettings, "concurrency"> = {}): Promise<void> {
    await this.options.transport.declareQueue({
      ...this.options.queueDefaults,
      ...settings,
      name: this.nameOf(key),
    });
  }

  async putRule(key: string, eventPattern: EventPattern): Promise<void> {
    const name = this.nameOf(key);
    await this.options.transport.putRule({ name, eventPattern, queue: name });
  }

  async deleteRule(key: string): Promise<void> {
    await this.options.transport.deleteRule(this.nameOf(key));
  }

  async consume(
    key: string,
    handle: RuntimeHandler<DB, Settings, Resources>,
    options: { concurrency?: number } = {},
  ): Promise<void> {
    const queue = this.nameOf(key);
    if (this.#phase === "stopped") {
      throw new Error(`${this.options.service} has stopped; ${queue} is not consumed`);
    }
    if (this.#consumers.has(key)) return;
    const consumer: LocalConsumer = {
      subscribe: () =>
        this.options.transport.consume(queue, this.#handlerOf(queue, handle), {
          concurrency: options.concurrency ?? defaultConcurrency,
        }),
    };
    this.#consumers.set(key, consumer);
    if (this.#phase === "running") await this.#start(key, consumer);
  }

  async stopConsuming(key: string): Promise<void> {
    const consumer = this.#consumers.get(key);
    this.#consumers.delete(key);
    await stopConsumer(consumer);
  }

  async remove(key: string): Promise<void> {
    const queue = this.nameOf(key);
    await this.options.transport.deleteRule(queue);
    await this.stopConsuming(key);
    await this.options.transport.deleteQueue(queue);
  }

  consumed(): string[] {
    return [...this.#consumers.keys()];
  }

  async declared(): Promise<string[]> {
    const prefix = `${this.options.service}-`;
    return (await this.options.transport.stats())
      .map((stats) => stats.name)
      .filter((name) => name.startsWith(prefix) && !this.options.staticQueues.includes(name))
      .map((name) => name.slice(prefix.length));
  }

  /** Starts the consumers asked for so far; from now on `consume` starts them at once. */
  async start(): Promise<void> {
    this.#phase = "running";
    for (const [key, consumer] of this.#consumers) await this.#start(key, consumer);
  }

  async stop(): Promise<void> {
    this.#phase = "stopped";
    const consumers = [...this.#consumers.values()];
    this.#consumers.clear();
    await Promise.all(consumers.map(stopConsumer));
  }

  /** A consumer that fails to start is forgotten, so that asking again tries again. */
  async #start(key: string, consumer: LocalConsumer): Promise<void> {
    consumer.started ??= consumer.subscribe();
    try {
      await consumer.started;
    } catch (error) {
      if (this.#consumers.get(key) === consumer) this.#consumers.delete(key);
      throw error;
    }
  }

  #handlerOf(queue: string, handle: RuntimeHandler<DB, Settings, Resources>): Handler {
    const logger = this.options.logger.child({ queue });
    return this.options.instrument(queue, (delivery) =>
      withConsumeSpan(queue, delivery, delivery.event, () =>
        handle(delivery.event, {
          ...this.options.context(),
          logger: logger.child({
            eventId: delivery.event.id,
            correlationId: delivery.event.metadata["correlation-id"],
          }),
          delivery,
        }),
      ),
    );
  }
}

async function stopConsumer(consumer: LocalConsumer | undefined): Promise<void> {
  const subscription = await consumer?.started?.catch(() => undefined);
  await subscription?.stop();
}
