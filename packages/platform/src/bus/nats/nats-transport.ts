import type { EventEnvelope } from "@mercato/contracts";
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type PubAck,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, type Logger } from "../../log.ts";
import { compilePattern } from "../patterns/index.ts";
import { validateQueueConfig } from "../queue-config.ts";
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
import { AckBatcher } from "./ack-batcher.ts";
import { AttemptStore } from "./attempts.ts";
import { ControlPlane } from "./control-plane.ts";
import { DeadLetterOffice } from "./dead-letters.ts";
import { type NatsNames, natsNames } from "./names.ts";
import { QueueCounters } from "./queue-counters.ts";
import { publishToQueue } from "./queue-message.ts";
import { ensureQueueResources, removeQueueResources } from "./queue-resources.ts";
import { QueueWorker } from "./queue-worker.ts";

export interface NatsTransportOptions {
  /** `nats://host:port`. */
  url: string;
  logger?: Logger;
  /** Namespaces every stream, bucket and subject, so several buses (or test runs) share a server. */
  prefix?: string;
}

/** As the embedded bus. */
const DEFAULT_CONCURRENCY = 10;
/** Longer than any message lives in a queue with retries (SQS's maximum retention). */
const ATTEMPTS_TTL_MS = 14 * 24 * 60 * 60 * 1000;
const API_TIMEOUT_MS = 10_000;

const encoder = new TextEncoder();

/** Connects to NATS JetStream and returns the event backbone on it. */
export async function createNatsTransport(options: NatsTransportOptions): Promise<Transport> {
  const names = natsNames(options.prefix ?? "mercato");
  const logger = options.logger ?? createLogger({ name: "bus-nats" });
  const nc = await connect({
    servers: options.url,
    name: `mercato-bus-${names.prefix}`,
    maxReconnectAttempts: -1,
    // Async traces build an Error (with its stack) for every request and publish acknowledgement
    // up front, in case it fails: 3-4% of each service's CPU under load. Errors still say what failed.
    noAsyncTraces: true,
  });
  try {
    const jsm = await jetstreamManager(nc, { timeout: API_TIMEOUT_MS });
    const js = jsm.jetstream();
    const kvm = new Kvm(js);
    const controlKv = await kvm.create(names.controlBucket, { history: 1 });
    const attemptsKv = await kvm.create(names.attemptsBucket, { history: 1, ttl: ATTEMPTS_TTL_MS });
    const control = await ControlPlane.open(jsm, controlKv, names, logger);
    const attempts = new AttemptStore(attemptsKv, names);
    const deadLetters = new DeadLetterOffice(nc, js, jsm, names, control, attempts, logger);
    deadLetters.listenForExhausted();
    return new NatsTransport(nc, js, jsm, names, control, attempts, deadLetters, logger);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

class NatsTransport implements Transport {
  readonly kind = "nats" as const;
  readonly #counters = new Map<string, QueueCounters>();
  /** Every running worker, with the name of its queue. */
  readonly #workers = new Map<QueueWorker, string>();
  readonly #acks = new AckBatcher();
  #closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly names: NatsNames,
    private readonly control: ControlPlane,
    private readonly attempts: AttemptStore,
    private readonly deadLetterOffice: DeadLetterOffice,
    private readonly logger: Logger,
  ) {}

  async declareQueue(config: QueueConfig): Promise<void> {
    this.#assertOpen();
    const valid = validateQueueConfig(config);
    const existing = this.control.queues.get(valid.name);
    if (existing && (existing.fifo === undefined) !== (valid.fifo === undefined)) {
      throw new Error(
        `Queue "${valid.name}" exists as a ${existing.fifo ? "FIFO" : "standard"} queue; a queue cannot change between standard and FIFO`,
      );
    }
    await ensureQueueResources(this.jsm, this.names, valid);
    await this.control.putQueue(valid);
  }

  async deleteQueue(queue: string): Promise<void> {
    this.#assertOpen();
    const target = [...this.control.ruleDefinitions.values()].find((rule) => rule.queue === queue);
    if (target)
      throw new Error(`Queue "${queue}" is the target of rule "${target.name}": delete the rule first`);
    const workers = [...this.#workers].filter(([, name]) => name === queue).map(([worker]) => worker);
    await Promise.all(workers.map((worker) => worker.stop()));
    for (const worker of workers) this.#workers.delete(worker);
    // Unknown to publishers first, so that nothing is routed to the streams being deleted.
    await this.control.deleteQueue(queue);
    await removeQueueResources(this.jsm, this.names, queue);
    await this.attempts.clearQueue(queue);
    this.#counters.delete(queue);
  }

  async putRule(rule: Rule): Promise<void> {
    this.#assertOpen();
    if (typeof rule.name !== "string" || rule.name.length === 0)
      throw new Error("Rule name must be a non-empty string");
    if (typeof rule.queue !== "string" || rule.queue.length === 0) {
      throw new Error(`Rule "${rule.name}": queue must be a non-empty string`);
    }
    compilePattern(rule.eventPattern);
    await this.control.putRule({ name: rule.name, eventPattern: rule.eventPattern, queue: rule.queue });
  }

  async deleteRule(name: string): Promise<void> {
    this.#assertOpen();
    await this.control.deleteRule(name);
  }

  async listRules(): Promise<Rule[]> {
    return [...this.control.ruleDefinitions.values()].map((rule) => ({ ...rule }));
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    this.#assertOpen();
    const acks: Promise<PubAck>[] = [];
    for (const event of events) {
      const queues = new Set(this.control.rules.match(event));
      if (queues.size === 0) continue;
      const data = encoder.encode(JSON.stringify(event));
      for (const queue of queues) {
        const config = this.control.queues.get(queue);
        if (!config) {
          this.logger.warn(
            { queue, eventId: event.id },
            "a rule targets a queue that is not declared; skipped",
          );
          continue;
        }
        acks.push(publishToQueue(this.js, this.names, config, event, data, `${queue}:${event.id}`));
      }
    }
    await Promise.all(acks);
  }

  async consume(queue: string, handler: Handler, options?: ConsumeOptions): Promise<Subscription> {
    this.#assertOpen();
    const config = this.#declared(queue);
    const concurrency = options?.concurrency ?? DEFAULT_CONCURRENCY;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new Error(`consume("${queue}"): concurrency must be an integer of at least 1`);
    }
    await this.deadLetterOffice.recoverExhausted(config).catch((error: unknown) => {
      this.logger.warn({ err: error, queue }, "could not scan the queue for exhausted messages");
    });
    const worker = new QueueWorker(
      {
        js: this.js,
        acks: this.#acks,
        names: this.names,
        control: this.control,
        attempts: this.attempts,
        deadLetters: this.deadLetterOffice,
        counters: this.#countersOf(queue),
        logger: this.logger,
      },
      config,
      handler,
      concurrency,
    );
    await worker.start();
    this.#workers.set(worker, queue);
    return {
      stop: async () => {
        await worker.stop();
        this.#workers.delete(worker);
      },
    };
  }

  async stats(): Promise<QueueStats[]> {
    this.#assertOpen();
    // The server has then received every acknowledgement of a handler that finished before.
    this.#acks.flush();
    await this.nc.flush();
    const queues = [...this.control.queues.values()].sort((a, b) => a.name.localeCompare(b.name));
    return Promise.all(queues.map((config) => this.#statsOf(config)));
  }

  async deadLetters(queue: string, options?: { limit?: number }): Promise<DeadLetter[]> {
    this.#assertOpen();
    this.#declared(queue);
    return this.deadLetterOffice.list(queue, options?.limit ?? Number.POSITIVE_INFINITY);
  }

  async redrive(queue: string, ids?: string[]): Promise<number> {
    this.#assertOpen();
    return this.deadLetterOffice.redrive(this.#declared(queue), ids);
  }

  async purge(queue: string): Promise<number> {
    this.#assertOpen();
    this.#declared(queue);
    const { purged } = await this.jsm.streams.purge(this.names.queueStream(queue));
    this.#countersOf(queue).retryDueAt.clear();
    return purged;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#workers.keys()].map((worker) => worker.stop()));
    this.#workers.clear();
    await this.deadLetterOffice.stopListening();
    await this.control.close();
    await this.nc.drain();
  }

  async #statsOf(config: QueueConfig): Promise<QueueStats> {
    const stream = this.names.queueStream(config.name);
    const counters = this.#countersOf(config.name);
    // DLQ first, then the queue once this process's moves are complete: a dead letter counted
    // here is never also counted in its queue.
    const dlq = await this.jsm.streams.info(this.names.dlqStream(config.name));
    await counters.movesSettled();
    const [info, consumers] = await Promise.all([
      this.jsm.streams.info(stream),
      this.jsm.consumers.list(stream).next(),
    ]);
    let depth = 0;
    let ackPending = 0;
    for (const consumer of consumers) {
      depth += consumer.num_pending;
      ackPending += consumer.num_ack_pending;
    }
    const delayed = Math.min(counters.delayed(), ackPending);
    return {
      name: config.name,
      depth,
      inFlight: ackPending - delayed,
      delayed,
      dlqDepth: dlq.state.messages,
      oldestAgeMs: info.state.messages > 0 ? Math.max(0, Date.now() - Date.parse(info.state.first_ts)) : 0,
      processed: counters.processed,
      failed: counters.failed,
    };
  }

  #declared(queue: string): QueueConfig {
    const config = this.control.queues.get(queue);
    if (!config) throw new Error(`Queue "${queue}" is not declared`);
    return config;
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
    if (this.#closed) throw new Error("The NATS transport is closed");
  }
}
