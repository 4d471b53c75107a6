import { createHash } from "node:crypto";
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { EventEnvelope } from "@mercato/contracts";
import type { Logger } from "../../log.ts";
import { groupIdOf } from "../group-id.ts";
import {
  deliveredEventOf,
  ENVELOPE_KEY,
  MAX_ENTRY_BYTES,
  type PutEventsEntry,
  putEventsEntryOf,
  putEventsEntrySize,
} from "./message-body.ts";
import type { AwsQueue } from "./queue-directory.ts";
import { BATCH_SIZE, chunks } from "./sqs-limits.ts";

/** Tries of one entry, the first included, before publish gives up on it. */
const MAX_TRIES = 6;
const RETRY_BASE_MS = 50;
const RETRY_MAX_MS = 2_000;
/** PutEvents requests in flight at once for one publish. */
const PARALLEL_REQUESTS = 8;
/** EventBridge's per-entry error codes worth another try; any other fails the publish at once. */
const RETRYABLE = /internal|throttl|unavailable|timeout|limit/i;
/** SQS message group and deduplication ids: 1 to 128 printable ASCII characters. */
const SQS_ID = /^[\x21-\x7e]{1,128}$/;

export interface PublisherOptions {
  eventBridge: EventBridgeClient;
  sqs: SQSClient;
  busName: string;
  /** The bus's region, which EventBridge stamps on the events it delivers (with the queue's account). */
  region: string;
  logger: Logger;
  /** Waits between tries; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** An entry that failed, with why. */
interface Failure {
  code: string;
  message: string;
}

function retryDelay(attempt: number): number {
  return Math.round(Math.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt));
}

/** A value SQS accepts as a group or deduplication id: itself when it may, else its hash. */
export function sqsId(value: string): string {
  return SQS_ID.test(value) ? value : `h-${createHash("sha256").update(value).digest("hex")}`;
}

/**
 * Publishing: every event goes to EventBridge with PutEvents (batches of at most 10 entries and 256
 * KiB, failed entries tried again on their own with backoff), and EventBridge routes it to the
 * standard queues of matching rules. Events matching rules of FIFO queues are also sent to those
 * queues directly with SendMessageBatch, in publish order, each with its own message group.
 */
export class Publisher {
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PublisherOptions) {
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Checks every entry before sending any, so a too-large event fails the publish whole. */
  entriesOf(events: EventEnvelope[]): PutEventsEntry[] {
    return events.map((event) => {
      const entry = putEventsEntryOf(event, this.options.busName);
      const size = putEventsEntrySize(entry);
      if (size > MAX_ENTRY_BYTES) {
        throw new Error(
          `Event ${event.id} (${event["detail-type"]}) is ${size} bytes as an EventBridge entry; EventBridge accepts at most ${MAX_ENTRY_BYTES} (256 KiB)`,
        );
      }
      return entry;
    });
  }

  async putEvents(entries: PutEventsEntry[]): Promise<void> {
    const batches = batchesOf(entries);
    for (let i = 0; i < batches.length; i += PARALLEL_REQUESTS) {
      await Promise.all(batches.slice(i, i + PARALLEL_REQUESTS).map((batch) => this.#putBatch(batch)));
    }
  }

  /** Sends each FIFO queue its events, in order, grouped by the queue's `fifo.groupBy`. */
  async sendToFifoQueue(queue: AwsQueue, events: EventEnvelope[]): Promise<void> {
    const groupBy = queue.config.fifo?.groupBy;
    if (!groupBy) throw new Error(`Queue "${queue.config.name}" is not a FIFO queue`);
    // arn:aws:sqs:<region>:<account>:<name>
    const bus = { account: queue.arn.split(":")[4] ?? "", region: this.options.region };
    // One batch after the other: SQS keeps a group's order as it receives the messages.
    for (const batch of chunks(events)) {
      const entries = batch.map(
        (event, index): SendMessageBatchRequestEntry => ({
          Id: String(index),
          MessageBody: JSON.stringify(deliveredEventOf(event, bus)),
          MessageGroupId: sqsId(groupIdOf(event, groupBy) ?? "-"),
          MessageDeduplicationId: sqsId(event.id),
        }),
      );
      await this.#retry(
        entries,
        async (pending) => {
          const result = await this.options.sqs.send(
            new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: pending }),
          );
          const failures = new Map<SendMessageBatchRequestEntry, Failure & { retryable: boolean }>();
          for (const failed of result.Failed ?? []) {
            const entry = pending.find((candidate) => candidate.Id === failed.Id);
            if (entry) {
              failures.set(entry, {
                code: failed.Code ?? "Unknown",
                message: failed.Message ?? "",
                retryable: failed.SenderFault !== true,
              });
            }
          }
          return failures;
        },
        (entry) => `FIFO message for queue ${queue.config.name} (${entry.MessageDeduplicationId})`,
      );
    }
  }

  async #putBatch(batch: PutEventsEntry[]): Promise<void> {
    await this.#retry(
      batch,
      async (pending) => {
        const result = await this.options.eventBridge.send(
          new PutEventsCommand({ Entries: pending as PutEventsRequestEntry[] }),
        );
        const failures = new Map<PutEventsEntry, Failure & { retryable: boolean }>();
        if ((result.FailedEntryCount ?? 0) === 0) return failures;
        // Result entries line up with request entries; a failed one has an ErrorCode.
        (result.Entries ?? []).forEach((resultEntry, index) => {
          const entry = pending[index];
          if (entry && resultEntry.ErrorCode) {
            failures.set(entry, {
              code: resultEntry.ErrorCode,
              message: resultEntry.ErrorMessage ?? "",
              retryable: RETRYABLE.test(resultEntry.ErrorCode),
            });
          }
        });
        return failures;
      },
      (entry) => `event ${eventIdOf(entry)} (${entry.DetailType})`,
    );
  }

  /** Sends entries, then only the failed ones again with backoff, until none fail or tries run out. */
  async #retry<E>(
    entries: E[],
    send: (pending: E[]) => Promise<Map<E, Failure & { retryable: boolean }>>,
    describe: (entry: E) => string,
  ): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const failures = await send(pending);
      if (failures.size === 0) return;
      const permanent = [...failures].filter(([, failure]) => !failure.retryable);
      if (permanent.length > 0 || attempt >= MAX_TRIES) {
        const shown = (permanent.length > 0 ? permanent : [...failures])
          .slice(0, 3)
          .map(([entry, failure]) => `${describe(entry)}: ${failure.code} ${failure.message}`.trim());
        throw new Error(
          `Publishing failed for ${failures.size} of ${pending.length} entries${permanent.length > 0 ? "" : ` after ${attempt} tries`}: ${shown.join("; ")}`,
        );
      }
      this.options.logger.debug({ failed: failures.size, attempt }, "retrying failed publish entries");
      pending = pending.filter((entry) => failures.has(entry));
      await this.#sleep(retryDelay(attempt));
    }
  }
}

/** Batches of at most 10 entries and 256 KiB in all, as PutEvents takes them. */
function batchesOf(entries: PutEventsEntry[]): PutEventsEntry[][] {
  const batches: PutEventsEntry[][] = [];
  let batch: PutEventsEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = putEventsEntrySize(entry);
    if (batch.length === BATCH_SIZE || (batch.length > 0 && bytes + size > MAX_ENTRY_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

function eventIdOf(entry: PutEventsEntry): string {
  try {
    const detail = JSON.parse(entry.Detail) as Record<string, { id?: string } | undefined>;
    return detail[ENVELOPE_KEY]?.id ?? "?";
  } catch {
    return "?";
  }
}
