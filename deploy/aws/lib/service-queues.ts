import { Duration, aws_events as events, aws_iam as iam, Stack, aws_sqs as sqs, Tags } from "aws-cdk-lib";
import { Construct } from "constructs";
import { awsRuleNamePrefix } from "../../../packages/platform/src/bus/aws/names.ts";
import { RETENTION_SECONDS, sqsSeconds } from "../../../packages/platform/src/bus/aws/sqs-limits.ts";
import type { PlannedQueue } from "./service-plan.ts";

/**
 * One Mercato queue on AWS, as the aws transport declares it (packages/platform/src/bus/aws), so
 * that a service declaring its queues and rules again at start changes nothing: the SQS queue and
 * its DLQ (the same visibility timeout, the queue's maxReceiveCount in the redrive policy, FIFO
 * when the Mercato queue is, both keeping messages 14 days) and the EventBridge rule of the
 * subscription, with the pattern the code declares, passed through unchanged.
 *
 * A standard queue is the rule's target. A FIFO queue is not: a target's MessageGroupId is one
 * fixed value, which would make the whole queue one group, so the transport's publisher matches
 * the FIFO rules itself and sends to the queue with each event's group (`publishers` may send).
 */
export class ServiceQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly rule: events.CfnRule;
  readonly fifo: boolean;

  constructor(
    scope: Construct,
    id: string,
    readonly planned: PlannedQueue,
    { bus, prefix }: { bus: events.EventBus; prefix: string },
  ) {
    super(scope, id);
    const { queue: config } = planned;
    this.fifo = config.fifo !== undefined;
    const visibilityTimeout = Duration.seconds(sqsSeconds(config.visibilityTimeoutMs));
    const retentionPeriod = Duration.seconds(RETENTION_SECONDS);
    this.deadLetters = new sqs.Queue(this, "DeadLetters", {
      queueName: planned.dlqName,
      fifo: this.fifo || undefined,
      visibilityTimeout,
      retentionPeriod,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    this.queue = new sqs.Queue(this, "Queue", {
      queueName: planned.sqsName,
      fifo: this.fifo || undefined,
      visibilityTimeout,
      retentionPeriod,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: config.maxReceiveCount },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });

    // The transport knows a queue as Mercato's by these tags (queue-directory.ts): with them a FIFO
    // queue takes its publishers' events before its own service has ever started.
    const { name, ...settings } = config;
    Tags.of(this.queue).add("mercato:queue", Buffer.from(name, "utf8").toString("base64url"));
    Tags.of(this.queue).add(
      "mercato:settings",
      Buffer.from(JSON.stringify(settings), "utf8").toString("base64url"),
    );

    // L1: the pattern is Mercato's own JSON ($or included), which the L2 Rule would reshape. The
    // description is where the transport keeps the Mercato names (rule-store.ts) for listRules.
    this.rule = new events.CfnRule(this, "Rule", {
      name: planned.ruleName,
      description: JSON.stringify({
        mercato: { rule: planned.rule.name, queue: planned.rule.queue, fifo: this.fifo },
      }),
      eventBusName: bus.eventBusName,
      eventPattern: planned.rule.eventPattern,
      state: "ENABLED",
      targets: this.fifo ? undefined : [{ id: "mercato-queue", arn: this.queue.queueArn }],
    });
    if (!this.fifo) this.allowRules(bus, prefix);
  }

  /**
   * The queue policy the transport sets when it puts a rule (every rule of the deployment's prefix
   * may send), so that the two never undo each other.
   */
  private allowRules(bus: events.EventBus, prefix: string): void {
    const rules = Stack.of(this).formatArn({
      service: "events",
      resource: "rule",
      resourceName: `${bus.eventBusName}/${awsRuleNamePrefix(prefix)}*`,
    });
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "mercato-eventbridge-rules",
        principals: [new iam.ServicePrincipal("events.amazonaws.com")],
        actions: ["sqs:SendMessage"],
        resources: [this.queue.queueArn],
        conditions: { ArnLike: { "aws:SourceArn": rules } },
      }),
    );
  }
}
