import type { EventEnvelope } from "@mercato/contracts";
import type {
  Delivery,
  EventPattern,
  Handler,
  QueueConfig,
  Subscription,
  Transport,
} from "../bus/transport.ts";
import type { Logger } from "../log.ts";
import type { QueueSettings, ServiceContext } from "./definition.ts";

/**
 * Queues a service makes while it runs (webhooks: one per subscription), beside the static
 * subscriptions of its definition. Each is named `<service>-<key>` and fed by a rule of the same
 * name. Consumers asked for before the service's consumers start begin with them; all stop with
 * them. The queues and rules live on the bus; which of them this process consumes does not survive
 * a restart, so a service attaches its consumers again when it starts (onStart), and in a
 * distributed deployment every process that runs the service consumes every queue.
 *
 * Handlers get each event outside any transaction and without an inbox: they open their own
 * transactions with `inTransaction` and make their effects idempotent themselves (an HTTP call, for
 * example, cannot share a database transaction). A handler that throws has its message retried
 * with the queue's backoff, then dead-lettered.
 */
export interface RuntimeQueues<DB, Settings = unknown, Resources = unknown> {
  /** The queue and rule name of `key`: `<service>-<key>`. */
  nameOf(key: string): string;
  /** Creates the queue and its DLQ, or updates their settings. */
  declare(key: string, settings?: Omit<QueueSettings, "concurrency">): Promise<void>;
  /** Routes what `eventPattern` matches to the queue, replacing the pattern; InvalidPatternError when bad. */
  putRule(key: string, eventPattern: EventPattern): Promise<void>;
  /** Stops routing events to the queue; what it holds stays. */
  deleteRule(key: string): Promise<void>;
  /** Consumes the queue in this process; a queue consumed here already is left as it is. */
  consume(
    key: string,
    handle: RuntimeHandler<DB, Settings, Resources>,
    options?: { concurrency?: number },
  ): Promise<void>;
  /** Stops consuming the queue in this process, once its running handlers have finished. */
  stopConsuming(key: string): Promise<void>;
  /** Deletes the rule, stops consuming, then deletes the queue with its messages and DLQ. */
  remove(key: string): Promise<void>;
  /** The keys of the queues this process consumes. */
  consumed(): string[];
  /** The keys of this service's runtime queues on the bus, whoever declared them. */
  declared(): Promise<string[]>;
}

/** What a runtime queue's handler gets: the service's context, the delivery, a logger naming both. */
export type RuntimeHandlerContext<DB, Settings = unknown, Resources = unknown> = ServiceContext<
  DB,
  Settings,
  Resources
> & { delivery: Delivery };

export type RuntimeHandler<DB, Settings = unknown, Resources = unknown> = (
  event: EventEnvelope,
  context: RuntimeHandlerContext<DB, Settings, Resources>,
) => Promise<void>;

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
      handle(delivery.event, {
        ...this.options.context(),
        logger: logger.child({
          eventId: delivery.event.id,
          correlationId: delivery.event.metadata["correlation-id"],
        }),
        delivery,
      }),
    );
  }
}

async function stopConsumer(consumer: LocalConsumer | undefined): Promise<void> {
  const subscription = await consumer?.started?.catch(() => undefined);
  await subscription?.stop();
}
