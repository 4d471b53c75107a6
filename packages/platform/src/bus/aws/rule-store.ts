import {
  DeleteRuleCommand,
  type EventBridgeClient,
  ListRulesCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { SetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { compilePattern, RuleSet } from "../patterns/index.ts";
import type { Rule } from "../transport.ts";
import { awsRuleName, awsRuleNamePrefix } from "./names.ts";
import type { AwsQueue } from "./queue-directory.ts";
import { awsErrorName } from "./sqs-limits.ts";

/** The one target of a rule whose queue is a standard queue. */
const TARGET_ID = "mercato-queue";
/** EventBridge's bound on a rule's description, where the Mercato rule and queue names are kept. */
const DESCRIPTION_LENGTH = 512;

/** What a rule's description holds: EventBridge names may be hashed, these are Mercato's. */
interface RuleDescription {
  mercato: { rule: string; queue: string; fifo: boolean };
}

interface StoredRule extends Rule {
  fifo: boolean;
}

function descriptionOf(rule: Rule, fifo: boolean): string {
  const description: RuleDescription = { mercato: { rule: rule.name, queue: rule.queue, fifo } };
  const text = JSON.stringify(description);
  if (text.length > DESCRIPTION_LENGTH) {
    throw new Error(
      `Rule "${rule.name}": its name and queue name are too long for an EventBridge description`,
    );
  }
  return text;
}

function storedRuleOf(description: string | undefined, pattern: string | undefined): StoredRule | undefined {
  if (!description || !pattern) return undefined;
  try {
    const { mercato } = JSON.parse(description) as Partial<RuleDescription>;
    if (typeof mercato?.rule !== "string" || typeof mercato.queue !== "string") return undefined;
    return {
      name: mercato.rule,
      queue: mercato.queue,
      fifo: mercato.fifo === true,
      eventPattern: JSON.parse(pattern),
    };
  } catch {
    return undefined;
  }
}

/**
 * Mercato's rules as EventBridge rules on the bus, one each. A rule of a standard queue targets the
 * queue, and EventBridge routes. A rule of a FIFO queue has no target: an EventBridge target's
 * MessageGroupId is one fixed value, which would put a whole queue in one group, so the publisher
 * matches these rules itself and sends to the queue with each event's own group (`publisher.ts`).
 * Every process keeps the FIFO rules in a RuleSet, loaded from EventBridge and reloaded when older
 * than `refreshMs`; its own changes apply at once.
 */
export class RuleStore {
  readonly #fifoRules = new RuleSet<string>();
  #fifoNames = new Set<string>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | undefined;
  /** Local changes made while a reload was listing, applied again over what it listed. */
  #changesDuringLoad: Array<() => void> | undefined;

  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly sqs: SQSClient,
    private readonly busName: string,
    private readonly prefix: string,
    private readonly refreshMs: number,
  ) {}

  async put(rule: Rule, queue: AwsQueue): Promise<void> {
    if (typeof rule.name !== "string" || rule.name.length === 0)
      throw new Error("Rule name must be a non-empty string");
    if (typeof rule.queue !== "string" || rule.queue.length === 0) {
      throw new Error(`Rule "${rule.name}": queue must be a non-empty string`);
    }
    compilePattern(rule.eventPattern);
    const fifo = queue.config.fifo !== undefined;
    const Name = awsRuleName(this.prefix, rule.name);
    const { RuleArn } = await this.eventBridge.send(
      new PutRuleCommand({
        Name,
        EventBusName: this.busName,
        EventPattern: JSON.stringify(rule.eventPattern),
        State: "ENABLED",
        Description: descriptionOf(rule, fifo),
      }),
    );
    if (fifo) {
      await this.#removeTarget(Name);
    } else {
      if (!RuleArn) throw new Error(`EventBridge returned no ARN for rule ${Name}`);
      await this.#allowRulesToSend(queue, RuleArn, Name);
      const result = await this.eventBridge.send(
        new PutTargetsCommand({
          Rule: Name,
          EventBusName: this.busName,
          Targets: [{ Id: TARGET_ID, Arn: queue.arn }],
        }),
      );
      const failed = result.FailedEntries?.[0];
      if ((result.FailedEntryCount ?? 0) > 0) {
        throw new Error(
          `EventBridge refused the target of rule ${Name}: ${failed?.ErrorCode} ${failed?.ErrorMessage}`,
        );
      }
    }
    this.#applyLocally(() => {
      if (fifo) this.#fifoRules.add(rule.name, rule.eventPattern, rule.queue);
      else this.#fifoRules.remove(rule.name);
    });
  }

  async delete(name: string): Promise<void> {
    const Name = awsRuleName(this.prefix, name);
    if (await this.#removeTarget(Name)) {
      await this.eventBridge.send(new DeleteRuleCommand({ Name, EventBusName: this.busName }));
    }
    this.#applyLocally(() => this.#fifoRules.remove(name));
  }

  /** Every Mercato rule on the bus, by name. */
  async list(): Promise<StoredRule[]> {
    const rules: StoredRule[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.eventBridge.send(
        new ListRulesCommand({
          EventBusName: this.busName,
          NamePrefix: awsRuleNamePrefix(this.prefix),
          NextToken,
        }),
      );
      for (const listed of page.Rules ?? []) {
        const rule = storedRuleOf(listed.Description, listed.EventPattern);
        if (rule) rules.push(rule);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return rules.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The FIFO queues whose rules match the event (as EventBridge would see it), each once. */
  async fifoQueuesFor(events: unknown[]): Promise<Set<string>[]> {
    if (Date.now() - this.#loadedAt > this.refreshMs) await this.reload();
    return events.map((event) => new Set(this.#fifoRules.match(event)));
  }

  /** Reloads the FIFO rules from EventBridge (one reload at a time). */
  reload(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    const startedAt = Date.now();
    this.#changesDuringLoad = [];
    try {
      const listed = (await this.list()).filter((rule) => rule.fifo);
      for (const name of this.#fifoNames) this.#fifoRules.remove(name);
      for (const rule of listed) this.#fifoRules.add(rule.name, rule.eventPattern, rule.queue);
      this.#fifoNames = new Set(listed.map((rule) => rule.name));
      for (const change of this.#changesDuringLoad) change();
      this.#loadedAt = startedAt;
    } finally {
      this.#changesDuringLoad = undefined;
    }
  }

  #applyLocally(change: () => void): void {
    change();
    this.#changesDuringLoad?.push(change);
  }

  /** False when the rule does not exist. */
  async #removeTarget(Name: string): Promise<boolean> {
    try {
      await this.eventBridge.send(
        new RemoveTargetsCommand({ Rule: Name, EventBusName: this.busName, Ids: [TARGET_ID] }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === "ResourceNotFoundException") return false;
      throw error;
    }
  }

  /**
   * The queue policy that lets EventBridge deliver: every rule of this prefix on this bus (the
   * rule's ARN with the name replaced by `<prefix>_*`), so a queue needs one statement however many
   * rules target it.
   */
  async #allowRulesToSend(queue: AwsQueue, ruleArn: string, ruleName: string): Promise<void> {
    const rulesOfPrefix = `${ruleArn.slice(0, ruleArn.length - ruleName.length)}${awsRuleNamePrefix(this.prefix)}*`;
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "mercato-eventbridge-rules",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queue.arn,
          Condition: { ArnLike: { "aws:SourceArn": rulesOfPrefix } },
        },
      ],
    };
    await this.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { Policy: JSON.stringify(policy) } }),
    );
  }
}
