import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
  type SQSClient,
  TagQueueCommand,
} from "@aws-sdk/client-sqs";
import { validateQueueConfig } from "../queue-config.ts";
import type { QueueConfig } from "../transport.ts";
import { awsQueueNames } from "./names.ts";
import {
  awsErrorName,
  isMissingQueue,
  MAX_VISIBILITY_SECONDS,
  RETENTION_SECONDS,
  sqsSeconds,
} from "./sqs-limits.ts";

/** A Mercato queue as it lives in SQS: the queue, its DLQ, and the settings kept in its tags. */
export interface AwsQueue {
  readonly config: QueueConfig;
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/** Tag keys: SQS tag values allow letters, digits and `+ - = . _ : / @`, so both are base64url. */
const NAME_TAG = "mercato:queue";
const SETTINGS_TAG = "mercato:settings";
const TAG_VALUE_LENGTH = 256;

function encodeTag(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url");
}

function decodeTag(value: string): string {
  return Buffer.from(value, "base64url").toString("utf8");
}

function tagsOf(config: QueueConfig): Record<string, string> {
  const { name, ...settings } = config;
  const tags = { [NAME_TAG]: encodeTag(name), [SETTINGS_TAG]: encodeTag(JSON.stringify(settings)) };
  for (const [key, value] of Object.entries(tags)) {
    if (value.length > TAG_VALUE_LENGTH) {
      throw new Error(
        `Queue "${name}": its ${key === NAME_TAG ? "name" : "settings (fifo.groupBy)"} are too long to keep in an SQS tag`,
      );
    }
  }
  return tags;
}

/** The queue's config from its tags, or undefined for a queue Mercato did not declare. */
function configOfTags(tags: Record<string, string> | undefined): QueueConfig | undefined {
  const name = tags?.[NAME_TAG];
  const settings = tags?.[SETTINGS_TAG];
  if (name === undefined || settings === undefined) return undefined;
  try {
    return validateQueueConfig({ ...JSON.parse(decodeTag(settings)), name: decodeTag(name) });
  } catch {
    return undefined;
  }
}

/**
 * The SQS side of Mercato's queues under one prefix. Which queues exist and their settings live in
 * SQS itself (tags), so every process sees the queues declared by the others; this process keeps
 * what it has looked up, and forgets a queue when SQS says it is gone.
 */
export class QueueDirectory {
  readonly #byName = new Map<string, AwsQueue>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly prefix: string,
  ) {}

  async declare(input: QueueConfig): Promise<AwsQueue> {
    const config = validateQueueConfig(input);
    const visibility = sqsSeconds(config.visibilityTimeoutMs);
    if (config.visibilityTimeoutMs > MAX_VISIBILITY_SECONDS * 1000) {
      throw new Error(
        `Invalid queue config "${config.name}": SQS allows a visibility timeout of at most 12 hours`,
      );
    }
    const fifo = config.fifo !== undefined;
    const names = awsQueueNames(this.prefix, config.name, fifo);
    const tags = tagsOf(config);
    if (await this.#urlOf(awsQueueNames(this.prefix, config.name, !fifo).queue)) {
      throw new Error(
        `Queue "${config.name}" exists as a ${fifo ? "standard" : "FIFO"} queue; a queue cannot change between standard and FIFO`,
      );
    }
    const kind = fifo ? { FifoQueue: "true" } : undefined;
    const dlqUrl = await this.#create(names.dlq, kind);
    await this.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: dlqUrl,
        Attributes: { MessageRetentionPeriod: String(RETENTION_SECONDS) },
      }),
    );
    const dlqArn = await this.#arnOf(dlqUrl);
    const url = await this.#create(names.queue, kind);
    await this.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          VisibilityTimeout: String(visibility),
          MessageRetentionPeriod: String(RETENTION_SECONDS),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: config.maxReceiveCount,
          }),
        },
      }),
    );
    await this.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: tags }));
    const queue: AwsQueue = { config, url, arn: await this.#arnOf(url), dlqUrl, dlqArn };
    this.#byName.set(config.name, queue);
    return queue;
  }

  /** The declared queue of that name, or undefined. */
  async find(name: string): Promise<AwsQueue | undefined> {
    const known = this.#byName.get(name);
    if (known) return known;
    for (const fifo of [false, true]) {
      const names = awsQueueNames(this.prefix, name, fifo);
      const url = await this.#urlOf(names.queue);
      if (!url) continue;
      const queue = await this.#load(url);
      if (queue?.config.name === name) return queue;
    }
    return undefined;
  }

  async get(name: string): Promise<AwsQueue> {
    const queue = await this.find(name);
    if (!queue) throw new Error(`Queue "${name}" is not declared`);
    return queue;
  }

  /** Every declared queue of the prefix, as SQS lists them now, and those this process declared. */
  async list(): Promise<AwsQueue[]> {
    const urls: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.sqs.send(
        new ListQueuesCommand({ QueueNamePrefix: `${this.prefix}_`, MaxResults: 1000, NextToken }),
      );
      urls.push(...(page.QueueUrls ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    const known = new Map([...this.#byName.values()].map((queue) => [queue.url, queue]));
    const queues = await Promise.all(
      urls.filter((url) => !/_dlq(\.fifo)?$/.test(url)).map((url) => known.get(url) ?? this.#load(url)),
    );
    const byName = new Map<string, AwsQueue>();
    for (const queue of [...queues, ...this.#byName.values()])
      if (queue) byName.set(queue.config.name, queue);
    return [...byName.values()].sort((a, b) => a.config.name.localeCompare(b.config.name));
  }

  /** Deletes the queue and its DLQ; a queue already gone is deleted. */
  async delete(name: string): Promise<void> {
    const queue = await this.find(name);
    this.#byName.delete(name);
    if (!queue) return;
    for (const url of [queue.url, queue.dlqUrl]) {
      try {
        await this.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      } catch (error) {
        if (!isMissingQueue(error)) throw error;
      }
    }
  }

  /** Forgets a queue that SQS no longer has (deleted by another process). */
  forget(name: string): void {
    this.#byName.delete(name);
  }

  async #create(name: string, attributes: Record<string, string> | undefined): Promise<string> {
    try {
      const { QueueUrl } = await this.sqs.send(
        new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
      );
      if (!QueueUrl) throw new Error(`SQS returned no URL for queue ${name}`);
      return QueueUrl;
    } catch (error) {
      if (awsErrorName(error) === "QueueDeletedRecently") {
        throw new Error(
          `SQS queue ${name} was deleted less than 60 seconds ago; SQS refuses its name until then`,
        );
      }
      throw error;
    }
  }

  async #urlOf(name: string): Promise<string | undefined> {
    try {
      return (await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    } catch (error) {
      if (isMissingQueue(error)) return undefined;
      throw error;
    }
  }

  async #arnOf(url: string): Promise<string> {
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
    );
    const arn = Attributes?.QueueArn;
    if (!arn) throw new Error(`SQS returned no ARN for queue ${url}`);
    return arn;
  }

  async #load(url: string): Promise<AwsQueue | undefined> {
    try {
      const [{ Tags }, { Attributes }] = await Promise.all([
        this.sqs.send(new ListQueueTagsCommand({ QueueUrl: url })),
        this.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn", "RedrivePolicy"] }),
        ),
      ]);
      const config = configOfTags(Tags);
      const dlqArn = Attributes?.RedrivePolicy
        ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn
        : undefined;
      if (!config || !dlqArn || !Attributes?.QueueArn) return undefined;
      const dlqUrl = await this.#urlOf(dlqArn.slice(dlqArn.lastIndexOf(":") + 1));
      if (!dlqUrl) return undefined;
      const queue: AwsQueue = { config, url, arn: Attributes.QueueArn, dlqUrl, dlqArn };
      this.#byName.set(config.name, queue);
      return queue;
    } catch (error) {
      if (isMissingQueue(error)) return undefined;
      throw error;
    }
  }
}
