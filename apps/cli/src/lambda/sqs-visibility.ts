import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SqsQueueArn } from "./sqs-queue-arn.ts";

/** SQS's longest visibility timeout: 12 hours. */
const maxVisibilitySeconds = 43_200;

/**
 * Changes how long received messages stay invisible (SQS ChangeMessageVisibility): longer while a
 * handler runs (`Delivery.extendVisibility`), shorter after it failed, so that the retry comes after
 * the queue's backoff rather than after the whole visibility timeout. Queue URLs are looked up once
 * per queue (GetQueueUrl, which emulators and every partition answer) and clients made once per
 * region, from the function's own credentials.
 */
export class SqsVisibility {
  readonly #clients = new Map<string, SQSClient>();
  readonly #urls = new Map<string, Promise<string>>();

  constructor(
    private readonly clientOf: (region: string) => SQSClient = (region) => new SQSClient({ region }),
  ) {}

  /** Keeps the message invisible for `ms` from now (rounded up to whole seconds, at most 12 hours). */
  async change(queue: SqsQueueArn, receiptHandle: string, ms: number): Promise<void> {
    const seconds = Math.min(maxVisibilitySeconds, Math.max(0, Math.ceil(ms / 1000)));
    await this.#client(queue.region).send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: await this.#url(queue),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }

  #client(region: string): SQSClient {
    let client = this.#clients.get(region);
    if (!client) {
      client = this.clientOf(region);
      this.#clients.set(region, client);
    }
    return client;
  }

  #url(queue: SqsQueueArn): Promise<string> {
    let url = this.#urls.get(queue.arn);
    if (!url) {
      url = this.#lookUp(queue);
      // A failed lookup is asked again next time.
      url.catch(() => this.#urls.delete(queue.arn));
      this.#urls.set(queue.arn, url);
    }
    return url;
  }

  async #lookUp(queue: SqsQueueArn): Promise<string> {
    const { QueueUrl } = await this.#client(queue.region).send(
      new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.account }),
    );
    if (!QueueUrl) throw new Error(`SQS returned no URL for ${queue.arn}`);
    return QueueUrl;
  }
}
