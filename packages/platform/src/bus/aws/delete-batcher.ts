import { DeleteMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../../log.ts";
import { BATCH_SIZE, chunks } from "./sqs-limits.ts";

/**
 * Acknowledgements: the deletes requested in one macrotask go out together, as DeleteMessageBatch
 * calls of at most 10 per queue. A delete that fails leaves the message to come back after its
 * visibility timeout (a redelivery, never a loss).
 */
export class DeleteBatcher {
  readonly #pending = new Map<string, Array<{ receiptHandle: string; sent: () => void }>>();
  readonly #sending = new Set<Promise<void>>();
  #scheduled = false;

  constructor(
    private readonly sqs: SQSClient,
    private readonly logger: Logger,
  ) {}

  /** Resolves once SQS has answered the batch with this delete (whether or not it succeeded). */
  delete(queueUrl: string, receiptHandle: string): Promise<void> {
    return new Promise((sent) => {
      const pending = this.#pending.get(queueUrl) ?? [];
      pending.push({ receiptHandle, sent });
      this.#pending.set(queueUrl, pending);
      if (pending.length >= BATCH_SIZE) {
        this.#send();
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#send());
      }
    });
  }

  /** Sends what is pending and waits for every delete under way. */
  async flush(): Promise<void> {
    this.#send();
    await Promise.allSettled([...this.#sending]);
  }

  #send(): void {
    this.#scheduled = false;
    for (const [queueUrl, pending] of this.#pending) {
      for (const batch of chunks(pending)) {
        const sending = this.#sendBatch(
          queueUrl,
          batch.map((entry) => entry.receiptHandle),
        ).finally(() => {
          for (const entry of batch) entry.sent();
        });
        this.#sending.add(sending);
        void sending.finally(() => this.#sending.delete(sending));
      }
    }
    this.#pending.clear();
  }

  async #sendBatch(QueueUrl: string, handles: string[]): Promise<void> {
    try {
      const result = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: handles.map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle })),
        }),
      );
      for (const failed of result.Failed ?? []) {
        this.logger.warn(
          { queueUrl: QueueUrl, code: failed.Code, reason: failed.Message },
          "could not delete an acknowledged message; it will be delivered again",
        );
      }
    } catch (error) {
      this.logger.warn(
        { err: error, queueUrl: QueueUrl },
        "could not delete acknowledged messages; they will be delivered again",
      );
    }
  }
}
