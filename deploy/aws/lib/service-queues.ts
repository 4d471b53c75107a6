import { Duration, aws_events as events, aws_iam as iam, aws_sqs as sqs } from "aws-cdk-lib";
import { Construct } from "constructs";
import type { PlannedQueue } from "./service-plan.ts";

/**
 * A standard DLQ keeps a message's first enqueue time, so it keeps dead letters longer than the
 * queue keeps messages: an operator has at least ten days to look at each.
 */
const queueRetention = Duration.days(4);
const deadLetterRetention = Duration.days(14);

/**
 * One Mercato queue on AWS: the SQS queue, its DLQ (the same visibility timeout, the queue's
 * maxReceiveCount in the redrive policy, FIFO when the Mercato queue is) and the EventBridge rule
 * of the subscription, with the pattern the code declares, passed through unchanged.
 */
export class ServiceQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly rule: events.CfnRule;

  constructor(
    scope: Construct,
    id: string,
    readonly planned: PlannedQueue,
    bus: events.IEventBus,
  ) {
    super(scope, id);
    const { queue: config } = planned;
    const fifo = config.fifo !== undefined;
    const visibilityTimeout = Duration.seconds(Math.ceil(config.visibilityTimeoutMs / 1000));
    this.deadLetters = new sqs.Queue(this, "DeadLetters", {
      queueName: planned.dlqName,
      fifo: fifo || undefined,
      visibilityTimeout,
      retentionPeriod: deadLetterRetention,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, "Queue", {
      queueName: planned.sqsName,
      fifo: fifo || undefined,
      visibilityTimeout,
      retentionPeriod: queueRetention,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: config.maxReceiveCount },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    // L1: the pattern is Mercato's own JSON ($or included), which the L2 Rule would reshape.
    this.rule = new events.CfnRule(this, "Rule", {
      name: planned.ruleName,
      description: `Mercato rule ${planned.rule.name}: its events to SQS queue ${planned.sqsName}`,
      eventBusName: bus.eventBusName,
      eventPattern: planned.rule.eventPattern,
      state: "ENABLED",
      targets: [{ id: "queue", arn: this.queue.queueArn }],
    });
    const ruleArn = this.rule.attrArn;
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("events.amazonaws.com")],
        actions: ["sqs:SendMessage"],
        resources: [this.queue.queueArn],
        conditions: { ArnEquals: { "aws:SourceArn": ruleArn } },
      }),
    );
  }
}
