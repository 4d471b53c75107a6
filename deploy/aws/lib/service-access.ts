import { ArnFormat, type aws_events as events, aws_iam as iam, Stack } from "aws-cdk-lib";
import type { Construct } from "constructs";
import type { MediaBucket } from "./media-bucket.ts";
import type { ServicePlan } from "./service-plan.ts";
import type { ServiceQueue } from "./service-queues.ts";

/** What a service's role may reach beyond its queues. */
export interface SharedResources {
  bus: events.EventBus;
  prefix: string;
  media: MediaBucket;
  /** Every queue of the deployment: the FIFO ones take their publishers' events directly. */
  queues: ServiceQueue[];
}

/**
 * On its own queues and DLQs: consume, and what the host does at start (declares each queue and
 * sets its attributes again, which leaves the deployed ones as they are) and the operations API
 * (stats, dead letters, redrive as an SQS message-move task, purge).
 */
const ownQueueActions = [
  "sqs:GetQueueUrl",
  "sqs:GetQueueAttributes",
  "sqs:CreateQueue",
  "sqs:SetQueueAttributes",
  "sqs:TagQueue",
  "sqs:ListQueueTags",
  "sqs:ReceiveMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:DeleteMessage",
  "sqs:SendMessage",
  "sqs:PurgeQueue",
  "sqs:StartMessageMoveTask",
  "sqs:ListMessageMoveTasks",
  "sqs:CancelMessageMoveTask",
];
/**
 * On its own rules: the host puts each again at start, with the same pattern and its target (a
 * FIFO queue's rule has none, which the transport makes sure of by removing it).
 */
const ownRuleActions = [
  "events:PutRule",
  "events:PutTargets",
  "events:RemoveTargets",
  "events:DescribeRule",
  "events:ListTargetsByRule",
];
/** What RuntimeQueues does beyond that: removes queues and rules. */
const runtimeQueueActions = [...ownQueueActions, "sqs:DeleteQueue"];
const runtimeRuleActions = [...ownRuleActions, "events:DeleteRule"];

/**
 * The least a service needs, on its role (a task role or a function's): publish to the bus; its
 * own queues, DLQs and rules; the name prefix of its runtime queues when it makes some (their
 * names are not known before it runs); sending to the FIFO queues its events feed; the queue list
 * of the deployment, read-only, for the operations API; the media bucket's prefix only when it
 * keeps blobs.
 */
export function grantServiceAccess(
  scope: Construct,
  role: iam.IGrantable,
  plan: ServicePlan,
  queues: ServiceQueue[],
  shared: SharedResources,
): void {
  const stack = Stack.of(scope);
  const add = (statement: iam.PolicyStatement) => role.grantPrincipal.addToPrincipalPolicy(statement);
  // Sids are unique in a policy, and one role may hold several services' statements (Lambda's HTTP function).
  const own = (sid: string) => `${plan.name.replace(/[^A-Za-z0-9]/g, "")}${sid}`;
  shared.bus.grantPutEventsTo(role);

  if (queues.length > 0) {
    add(
      new iam.PolicyStatement({
        sid: own("OwnQueues"),
        actions: ownQueueActions,
        resources: queues.flatMap((queue) => [queue.queue.queueArn, queue.deadLetters.queueArn]),
      }),
    );
    add(
      new iam.PolicyStatement({
        sid: own("OwnRules"),
        actions: ownRuleActions,
        resources: queues.map((queue) => queue.rule.attrArn),
      }),
    );
  }

  if (plan.makesRuntimeQueues) {
    const names = `${shared.prefix}_${plan.name}-*`;
    add(
      new iam.PolicyStatement({
        sid: own("RuntimeQueues"),
        actions: runtimeQueueActions,
        resources: [
          stack.formatArn({ service: "sqs", resource: names, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
        ],
      }),
    );
    add(
      new iam.PolicyStatement({
        sid: own("RuntimeRules"),
        actions: runtimeRuleActions,
        resources: [
          stack.formatArn({
            service: "events",
            resource: "rule",
            resourceName: `${shared.bus.eventBusName}/${names}`,
          }),
        ],
      }),
    );
  }

  // The publisher sends the events of FIFO rules to their queues itself (ServiceQueue).
  const fifoTargets = shared.queues.filter(
    (queue) => queue.fifo && queue.planned.publishers.includes(plan.name),
  );
  if (fifoTargets.length > 0) {
    add(
      new iam.PolicyStatement({
        sid: own("PublishToFifoQueues"),
        actions: ["sqs:SendMessage"],
        resources: fifoTargets.map((queue) => queue.queue.queueArn),
      }),
    );
  }

  // The operations API lists every queue and rule of the deployment, with their depths; the host
  // looks queues up by name (a queue of the other kind, standard or FIFO, included).
  add(
    new iam.PolicyStatement({
      sid: "DeploymentQueues",
      actions: ["sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ListQueueTags"],
      resources: [
        stack.formatArn({
          service: "sqs",
          resource: `${shared.prefix}_*`,
          arnFormat: ArnFormat.NO_RESOURCE_NAME,
        }),
      ],
    }),
  );
  // Neither listing can be narrowed to resources (the Service Authorization Reference gives none).
  add(
    new iam.PolicyStatement({
      sid: "ListQueuesAndRules",
      actions: ["sqs:ListQueues", "events:ListRules"],
      resources: ["*"],
    }),
  );

  if (plan.usesBlobs) {
    const { bucket } = shared.media;
    const prefix = shared.media.objectPrefix;
    add(
      new iam.PolicyStatement({
        sid: own("MediaObjects"),
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: [bucket.arnForObjects(`${prefix}/*`)],
      }),
    );
    // Without ListBucket, S3 answers a read of a missing object 403 instead of 404. Not limited by
    // an s3:prefix condition: a GetObject request carries no s3:prefix, so the condition would
    // never hold for it. The bucket holds product images only.
    add(
      new iam.PolicyStatement({
        sid: own("MediaList"),
        actions: ["s3:ListBucket"],
        resources: [bucket.bucketArn],
      }),
    );
  }
}
