import type { EventEnvelope } from "@mercato/contracts";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Logger } from "../../log.ts";
import type { DeadLetter, DeliveryAttempt, QueueConfig } from "../transport.ts";
import { type AttemptStore, completeAttempts, type RecordedAttempt } from "./attempts.ts";
import type { ControlPlane } from "./control-plane.ts";
import type { NatsNames } from "./names.ts";
import { publishToQueue } from "./queue-message.ts";
import { readStream } from "./stream-reader.ts";

/** A dead letter as stored in the DLQ stream. */
interface DeadLetterRecord {
  messageId: string;
  event: EventEnvelope;
  receiveCount: number;
  attempts: DeliveryAttempt[];
}

/** What is known of a message leaving its queue for the DLQ. */
export interface ExhaustedMessage {
  queue: string;
  streamSequence: number;
  event: EventEnvelope;
  attempts: RecordedAttempt[];
}

interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
}

const encoder = new TextEncoder();

/**
 * Dead-letter queues as streams: moving exhausted messages in (from a failing handler, from the
 * server's max-deliveries advisory, or by a scan at start), listing them, and redriving them.
 */
export class DeadLetterOffice {
  #advisories: Subscription | undefined;
  readonly #moves = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly names: NatsNames,
    private readonly control: ControlPlane,
    private readonly attempts: AttemptStore,
    private readonly logger: Logger,
  ) {}

  /**
   * Stores the dead letter. The caller removes the original afterwards, so a crash in between leaves
   * the message in its queue (to be moved again), never lost; the DLQ's duplicate window absorbs
   * the second copy.
   */
  async store(message: ExhaustedMessage): Promise<void> {
    const record: DeadLetterRecord = {
      messageId: message.event.id,
      event: message.event,
      receiveCount: message.attempts.length,
      attempts: message.attempts.map(({ at, error }) => ({ at, error })),
    };
    await this.js.publish(this.names.dlqSubject(message.queue), encoder.encode(JSON.stringify(record)), {
      msgID: `${message.event.id}:${message.streamSequence}`,
    });
  }

  /** Clears what the queue kept of a message that has left it. */
  forget(queue: string, streamSequence: number): void {
    this.attempts.clear(queue, streamSequence).catch((error: unknown) => {
      this.logger.warn({ err: error, queue, streamSequence }, "could not clear a message's attempts");
    });
  }

  /**
   * Moves a message the server stopped delivering (its last receive timed out) from the queue stream
   * to the DLQ. A message already gone was moved or acknowledged meanwhile.
   */
  async moveStored(config: QueueConfig, streamSequence: number, receives: number): Promise<boolean> {
    const stream = this.names.queueStream(config.name);
    const stored = await this.jsm.streams.getMessage(stream, { seq: streamSequence });
    if (!stored) return false;
    const { attempts: recorded } = await this.attempts.read(config.name, streamSequence);
    await this.store({
      queue: config.name,
      streamSequence,
      event: stored.json<EventEnvelope>(),
      attempts: completeAttempts(
        recorded,
        Math.min(receives, config.maxReceiveCount),
        config.visibilityTimeoutMs,
      ),
    });
    await this.jsm.streams.deleteMessage(stream, streamSequence);
    this.forget(config.name, streamSequence);
    this.logger.warn({ queue: config.name, streamSequence }, "moved an unacknowledged message to the DLQ");
    return true;
  }

  /**
   * Moves the messages of `queue` that a consumer has given up on while no process heard the
   * advisory. Safe only while the consumer has nothing pending: every stored message it has already
   * delivered is then one it will never deliver again.
   */
  async recoverExhausted(config: QueueConfig): Promise<number> {
    const stream = this.names.queueStream(config.name);
    let moved = 0;
    for await (const consumer of this.jsm.consumers.list(stream)) {
      const filter = consumer.config.filter_subject;
      if (consumer.num_ack_pending > 0 || !filter) continue;
      const delivered = consumer.delivered.stream_seq;
      let next = 1;
      while (next <= delivered) {
        const stored = await this.jsm.direct.getMessage(stream, { seq: next, next_by_subj: filter });
        if (!stored || stored.seq > delivered) break;
        if (await this.moveStored(config, stored.seq, config.maxReceiveCount)) moved++;
        next = stored.seq + 1;
      }
    }
    return moved;
  }

  /** Moves messages as the server reports that it stopped delivering them. One process per advisory. */
  listenForExhausted(): void {
    this.#advisories = this.nc.subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.*.*", {
      queue: `${this.names.prefix}-dead-letters`,
      callback: (error, msg) => {
        if (error) {
          this.logger.error({ err: error }, "max-deliveries advisory subscription failed");
          return;
        }
        let advisory: MaxDeliveriesAdvisory;
        try {
          advisory = msg.json<MaxDeliveriesAdvisory>();
        } catch (parseError) {
          this.logger.warn({ err: parseError }, "ignoring an unreadable max-deliveries advisory");
          return;
        }
        if (!advisory.stream.startsWith(this.names.queueStreamPrefix)) return;
        const config = [...this.control.queues.values()].find(
          (queue) => this.names.queueStream(queue.name) === advisory.stream,
        );
        if (!config) return;
        const move = this.moveStored(config, advisory.stream_seq, advisory.deliveries).then(
          () => {},
          (moveError: unknown) => {
            this.logger.error(
              { err: moveError, queue: config.name, streamSequence: advisory.stream_seq },
              "could not move an exhausted message to the DLQ",
            );
          },
        );
        this.#moves.add(move);
        void move.finally(() => this.#moves.delete(move));
      },
    });
  }

  /** Stops taking advisories and waits for the moves they started. */
  async stopListening(): Promise<void> {
    this.#advisories?.unsubscribe();
    await Promise.all([...this.#moves]);
  }

  async list(queue: string, limit: number): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    if (limit <= 0) return letters;
    await readStream(this.js, this.jsm, this.names.dlqStream(queue), (message) => {
      letters.push(toDeadLetter(message.json<DeadLetterRecord>()));
      return letters.length < limit;
    });
    return letters;
  }

  /**
   * Republishes dead letters to their queue as new messages (so with a fresh receive count), then
   * deletes them from the DLQ. A crash in between leaves a copy in both; never none.
   */
  async redrive(config: QueueConfig, ids?: string[]): Promise<number> {
    const wanted = ids ? new Set(ids) : undefined;
    const chosen: { sequence: number; record: DeadLetterRecord; data: Uint8Array }[] = [];
    const dlq = this.names.dlqStream(config.name);
    await readStream(this.js, this.jsm, dlq, (message) => {
      const record = message.json<DeadLetterRecord>();
      if (!wanted || wanted.has(record.messageId)) {
        chosen.push({ sequence: message.seq, record, data: encoder.encode(JSON.stringify(record.event)) });
      }
      return true;
    });
    await Promise.all(
      chosen.map(({ sequence, record, data }) =>
        // A new id: the original may still be in the queue's duplicate window.
        publishToQueue(
          this.js,
          this.names,
          config,
          record.event,
          data,
          `${config.name}:${record.event.id}:redrive:${sequence}`,
        ),
      ),
    );
    await Promise.all(chosen.map(({ sequence }) => this.jsm.streams.deleteMessage(dlq, sequence)));
    return chosen.length;
  }
}

function toDeadLetter(record: DeadLetterRecord): DeadLetter {
  const first = record.attempts[0];
  const last = record.attempts[record.attempts.length - 1];
  return {
    id: record.messageId,
    event: record.event,
    receiveCount: record.receiveCount,
    attempts: record.attempts,
    lastError: last?.error ?? "",
    firstFailedAt: first?.at ?? "",
  };
}
