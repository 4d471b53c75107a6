import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { EventEnvelope } from "@mercato/contracts";
import { createLogger, type Logger } from "../../log.ts";
import type {
  ConsumeOptions,
  DeadLetter,
  Handler,
  QueueConfig,
  QueueStats,
  Rule,
  Subscription,
  Transport,
} from "../transport.ts";
import { DeadLetterOffice } from "./dead-letters.ts";
import { DeleteBatcher } from "./delete-batcher.ts";
import { parseAwsBusUrl } from "./names.ts";
import { Publisher } from "./publisher.ts";
import { QueueConsumer } from "./queue-consumer.ts";
import { QueueCounters } from "./queue-counters.ts";
import { type AwsQueue, QueueDirectory } from "./queue-directory.ts";
import { RuleStore } from "./rule-store.ts";

export interface AwsTransportOptions {
  /** `aws://<region>/<bus-name>`. */
  url: string;
  /** Namespaces every queue and rule name, so several buses (or test runs) share an account. */
  prefix?: string;
  logger?: Logger;
  /**
   * Clients to use instead of the SDK's defaults for the region (credentials and endpoints from
   * the environment: AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_EVENTBRIDGE, ...). Not destroyed on close.
   */
  sqs?: SQSClient;
  eventBridge?: EventBridgeClient;
  /**
   * ReceiveMessage's long poll, in seconds (0 to 20; default 10). Stopping a consumer waits for
   * the poll under way, so this bounds how long `close()` takes.
   */
  receiveWaitSeconds?: number;
  /** Extend a running handler's visibility automatically (default true). */
  heartbeat?: boolean;
  /** How old this process's copy of the FIFO rules may get before a publish reloads it (default 10 s). */
  ruleRefreshMs?: number;
}

/** As the embedded and NATS transports. */
const DEFAULT_CONCURRENCY = 10;
const DEFAULT_RULE_REFRESH_MS = 10_000;
const SQS_SOCKETS = 1_000;

/** The event backbone on Amazon EventBridge and SQS. Makes no AWS call until used. */
export function createAwsTransport(options: AwsTransportOptions): Transport {
  const { region, busName } = parseAwsBusUrl(options.url);
  const prefix = options.prefix ?? "mercato";
  const owned: Array<{ destroy(): void }> = [];
  // Every receive loop holds a connection for its long poll: the SDK's default pool of 50 would
  // leave deletes, heartbeats and publishes waiting behind the polls of a busy process.
  const sqs =
    options.sqs ??
    new SQSClient({
      region,
      requestHandler: { httpAgent: { maxSockets: SQS_SOCKETS }, httpsAgent: { maxSockets: SQS_SOCKETS } },
    });
  const eventBridge = options.eventBridge ?? new EventBridgeClient({ region });
  if (!options.sqs) owned.push(sqs);
  if (!options.eventBridge) owned.push(eventBridge);
  const logger = options.logger ?? createLogger({ name: "bus-aws" });
  const receiveWaitSeconds = options.receiveWaitSeconds ?? 10;
  if (!(Number.isInteger(receiveWaitSeconds) && receiveWaitSeconds >= 0 && receiveWaitSeconds <= 20)) {
    throw new Error("receiveWaitSeconds must be a whole number of seconds from 0 to 20");
  }
  const queues = new QueueDirectory(sqs, prefix);
  return new AwsTransport({
    sqs,
    queues,
    rules: new RuleStore(eventBridge, sqs, busName, prefix, options.ruleRefreshMs ?? DEFAULT_RULE_REFRESH_MS),
    publisher: new Publisher({ eventBridge, sqs, busName, region, logger }),
    deadLetters: new DeadLetterOffice(sqs),
    deletes: new DeleteBatcher(sqs, logger),
    logger,
    receiveWaitSeconds,
    heartbeat: options.heartbeat ?? true,
    destroy: () => {
      for (const client of owned) client.destroy();
    },
  });
}

interface AwsTransportParts {
  sqs: SQSClient;
  queues: QueueDirectory;
  rules: RuleStore;
  publisher: Publisher;
  deadLetters: DeadLetterOffice;
  deletes: DeleteBatcher;
  logger: Logger;
  receiveWaitSeconds: number;
  heartbeat: boolean;
  destroy(): void;
}

class AwsTransport implements Transport {
  readonly kind = "aws" as const;
  readonly #counters = new Map<string, QueueCounters>();
  readonly #consumers = new Set<QueueConsumer>();
  #closed = false;

  constructor(private readonly parts: AwsTransportParts) {}

  async declareQueue(config: QueueConfig): Promise<void> {
    this.#assertOpen();
    await this.parts.queues.declare(config);
  }

  async deleteQueue(name: string): Promise<void> {
    this.#assertOpen();
    const target = (await this.parts.rules.list()).find((rule) => rule.queue === name);
    if (target)
      throw new Error(`Queue "${name}" is the target of rule "${target.name}": delete the rule first`);
    const consumers = [...this.#consumers].filter((consumer) => consumer.queueName === name);
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    for (const consumer of consumers) this.#consumers.delete(consumer);
    await this.parts.deletes.flush();
    await this.parts.queues.delete(name);
    this.#counters.delete(name);
  }

  async putRule(rule: Rule): Promise<void> {
    this.#assertOpen();
    const queue = await this.parts.queues.get(rule.queue);
    await this.parts.rules.put(rule, queue);
  }

  async deleteRule(name: string): Promise<void> {
    this.#assertOpen();
    await this.parts.rules.delete(name);
  }

  async listRules(): Promise<Rule[]> {
    this.#assertOpen();
    return (await this.parts.rules.list()).map(({ name, eventPattern, queue }) => ({
      name,
      eventPattern,
      queue,
    }));
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    this.#assertOpen();
    if (events.length === 0) return;
    const { publisher, rules, queues, logger } = this.parts;
    const entries = publisher.entriesOf(events);
    const fifoTargets = await rules.fifoQueuesFor(events);
    const byQueue = new Map<string, EventEnvelope[]>();
    events.forEach((event, index) => {
      for (const queue of fifoTargets[index] ?? [])
        byQueue.set(queue, [...(byQueue.get(queue) ?? []), event]);
    });
    await Promise.all([
      publisher.putEvents(entries),
      ...[...byQueue].map(async ([name, queueEvents]) => {
        const queue = await queues.find(name);
        if (!queue) {
          logger.warn({ queue: name }, "a rule targets a queue that is not declared; skipped");
          return;
        }
        await publisher.sendToFifoQueue(queue, queueEvents);
      }),
    ]);
  }

  async consume(queue: string, handler: Handler, options?: ConsumeOptions): Promise<Subscription> {
    this.#assertOpen();
    const concurrency = options?.concurrency ?? DEFAULT_CONCURRENCY;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new Error(`consume("${queue}"): concurrency must be an integer of at least 1`);
    }
    const declared = await this.parts.queues.get(queue);
    const consumer = new QueueConsumer(
      {
        sqs: this.parts.sqs,
        deletes: this.parts.deletes,
        deadLetters: this.parts.deadLetters,
        counters: this.#countersOf(queue),
        logger: this.parts.logger,
        waitSeconds: this.parts.receiveWaitSeconds,
        heartbeat: this.parts.heartbeat,
      },
      declared,
      handler,
      concurrency,
    );
    this.#consumers.add(consumer);
    return {
      stop: async () => {
        await consumer.stop();
        this.#consumers.delete(consumer);
        await this.parts.deletes.flush();
      },
    };
  }

  async stats(): Promise<QueueStats[]> {
    this.#assertOpen();
    // SQS has then received every acknowledgement of a handler that finished before.
    await this.parts.deletes.flush();
    const queues = await this.parts.queues.list();
    return Promise.all(queues.map((queue) => this.#statsOf(queue)));
  }

  async deadLetters(queue: string, options?: { limit?: number }): Promise<DeadLetter[]> {
    this.#assertOpen();
    const declared = await this.parts.queues.get(queue);
    return this.parts.deadLetters.list(declared, options?.limit ?? Number.POSITIVE_INFINITY);
  }

  async redrive(queue: string, ids?: string[]): Promise<number> {
    this.#assertOpen();
    return this.parts.deadLetters.redrive(await this.parts.queues.get(queue), ids);
  }

  async purge(queue: string): Promise<number> {
    this.#assertOpen();
    return this.parts.deadLetters.purge(await this.parts.queues.get(queue), this.#countersOf(queue));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
    this.#consumers.clear();
    await this.parts.deletes.flush();
    this.parts.destroy();
  }

  async #statsOf(queue: AwsQueue): Promise<QueueStats> {
    const counters = this.#countersOf(queue.config.name);
    // Moves under way first: a dead letter is then counted in the DLQ, not in its queue as well.
    await counters.movesSettled();
    const [messages, dlq] = await Promise.all([
      this.parts.deadLetters.count(queue.url),
      this.parts.deadLetters.count(queue.dlqUrl),
    ]);
    // SQS counts a message waiting for its retry as not visible, like one being handled.
    const retrying = Math.min(counters.delayed(), messages.notVisible);
    const held = messages.visible + messages.notVisible + messages.delayed;
    return {
      name: queue.config.name,
      depth: messages.visible,
      inFlight: messages.notVisible - retrying,
      delayed: retrying + messages.delayed,
      dlqDepth: dlq.visible + dlq.notVisible + dlq.delayed,
      oldestAgeMs: held > 0 ? counters.oldestHeldAgeMs() : 0,
      processed: counters.processed,
      failed: counters.failed,
    };
  }

  #countersOf(queue: string): QueueCounters {
    let counters = this.#counters.get(queue);
    if (!counters) {
      counters = new QueueCounters();
      this.#counters.set(queue, counters);
    }
    return counters;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("The AWS transport is closed");
  }
}
