import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import type { QueueConfig } from "../transport.ts";
import { type NatsNames, partitionsOf } from "./names.ts";

/** Stream name in use with another configuration (a stream created by an older version). */
const STREAM_NAME_IN_USE = 10058;
const STREAM_NOT_FOUND = 10059;
/** Consumer exists with another configuration: newer servers refuse to change it on create. */
const CONSUMER_ALREADY_EXISTS = 10148;
/** In flight at once across all processes for a standard queue; each process bounds its own share. */
const STANDARD_MAX_ACK_PENDING = 10_000;

/**
 * One more delivery than receives allowed: the extra one never reaches the handler, it moves the
 * message to the DLQ. So a message whose last receive timed out (its process died) is still
 * dead-lettered by an ordinary delivery; the server's max-deliveries advisory covers a crash
 * during that move.
 */
export function maxDeliverOf(config: QueueConfig): number {
  return config.maxReceiveCount + 1;
}

/** Creates or updates a queue's work-queue stream, its durable consumers and its DLQ stream. */
export async function ensureQueueResources(
  jsm: JetStreamManager,
  names: NatsNames,
  config: QueueConfig,
): Promise<void> {
  const queueStream = names.queueStream(config.name);
  await ensureStream(jsm, {
    name: queueStream,
    subjects: [names.queueSubjects(config.name)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    allow_direct: true,
  });
  await ensureStream(jsm, {
    name: names.dlqStream(config.name),
    subjects: [names.dlqSubject(config.name)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
  });
  await Promise.all(
    partitionsOf(config.fifo !== undefined).map((partition) =>
      ensureConsumer(jsm, queueStream, {
        durable_name: names.consumerName(partition),
        filter_subject: names.queueSubject(config.name, partition),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        replay_policy: ReplayPolicy.Instant,
        ack_wait: nanos(config.visibilityTimeoutMs),
        max_deliver: maxDeliverOf(config),
        // One unacknowledged message per partition is what keeps a FIFO group in order.
        max_ack_pending: config.fifo ? 1 : STANDARD_MAX_ACK_PENDING,
      }),
    ),
  );
}

/** Deletes a queue's stream (its consumers go with it) and its DLQ stream; a missing one is gone already. */
export async function removeQueueResources(jsm: JetStreamManager, names: NatsNames, queue: string) {
  for (const stream of [names.queueStream(queue), names.dlqStream(queue)]) {
    try {
      await jsm.streams.delete(stream);
    } catch (error) {
      if (!isApiError(error, STREAM_NOT_FOUND)) throw error;
    }
  }
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }) {
  try {
    await jsm.streams.add(config);
  } catch (error) {
    if (!isApiError(error, STREAM_NAME_IN_USE)) throw error;
    await jsm.streams.update(config.name, config);
  }
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
) {
  try {
    await jsm.consumers.add(stream, config);
  } catch (error) {
    if (!isApiError(error, CONSUMER_ALREADY_EXISTS)) throw error;
    await jsm.consumers.update(stream, config.durable_name, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}
