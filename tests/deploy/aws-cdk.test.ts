import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from "@aws-sdk/client-sqs";
import { declaredQueues, type EventPattern, loadConfig, silentLogger } from "@mercato/platform";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaEnvironment } from "../../apps/cli/src/lambda/lambda-environment.ts";
import { serviceCatalog } from "../../apps/cli/src/services.ts";
import { lambdaHandlers } from "../../deploy/aws/lib/function-services.ts";
import { MercatoStack } from "../../deploy/aws/lib/mercato-stack.ts";
import { blobServices, publishersOf, runtimeQueueServices } from "../../deploy/aws/lib/service-plan.ts";
import { type Compute, deploymentSettings } from "../../deploy/aws/lib/settings.ts";
import { createAwsTransport } from "../../packages/platform/src/bus/aws/index.ts";
import { awsQueueNames, awsRuleName } from "../../packages/platform/src/bus/aws/names.ts";
import { event } from "../../packages/platform/src/bus/test/test-event.ts";

/**
 * The CDK app (deploy/aws) synthesized in both variants and held to the code it deploys: every
 * queue and rule the services declare (declaredQueues over the service catalog, named as the aws
 * transport names them) has its SQS queue, DLQ and EventBridge rule with the same settings and
 * pattern; every DLQ has an alarm; no policy grants everything on everything. The templates are
 * snapshotted (deploy/aws/test/__snapshots__) so that every change to them is reviewed.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
const prefix = "mercato";
const snapshots = path.join(root, "deploy/aws/test/__snapshots__");

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation resources are checked field by field.
type Resource = { Type: string; Properties: any };

const expectedQueues = serviceCatalog.flatMap((entry) => {
  const definition = entry.create();
  return declaredQueues(definition).map((declared) => ({ service: definition.name, ...declared }));
});

let outdir: string;
const templates = new Map<Compute, Template>();

/**
 * Assets are fingerprinted where they are, not copied: synthesis neither builds nor stages them.
 * The functions' code is the folder `npm run build` wrote (vitest's global setup builds it).
 */
function synthesize(compute: Compute): Template {
  const app = new App({
    outdir: path.join(outdir, compute),
    analyticsReporting: false,
    context: { "aws:cdk:disable-asset-staging": true },
  });
  const settings = deploymentSettings((key) => (key === "mercato:compute" ? compute : undefined));
  return Template.fromStack(new MercatoStack(app, "Mercato", { settings }));
}

beforeAll(async () => {
  outdir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-cdk-"));
  for (const compute of ["containers", "lambda"] as const) templates.set(compute, synthesize(compute));
});

afterAll(async () => {
  await fs.rm(outdir, { recursive: true, force: true });
});

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** The logical id of the one resource of `type` whose properties pass `test`. */
function only(
  template: Template,
  type: string,
  what: string,
  test: (properties: Resource["Properties"]) => boolean,
) {
  const found = resourcesOf(template, type).filter(([, resource]) => test(resource.Properties ?? {}));
  expect(
    found.map(([id]) => id),
    `${type} ${what}`,
  ).toHaveLength(1);
  return found[0] as [string, Resource];
}

/** Every statement of every policy document in the template, wherever it sits. */
function statementsOf(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(statementsOf);
  if (value === null || typeof value !== "object") return [];
  const object = value as Record<string, unknown>;
  const own = Array.isArray(object.Statement) ? (object.Statement as Record<string, unknown>[]) : [];
  return [...own, ...Object.values(object).flatMap(statementsOf)];
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

const account = "123456789012";
const region = "us-east-1";
const urlOf = (name: string) => `https://sqs.${region}.amazonaws.com/${account}/${name}`;

/** A template value as CloudFormation would resolve it in that account and region. */
function resolve(template: Template, value: unknown): unknown {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const nameOf = (id: string) => {
    const resource = resources[id];
    if (!resource) throw new Error(`No resource ${id}`);
    return resource.Properties.QueueName ?? resource.Properties.Name;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== "object") return node;
    const object = node as Record<string, unknown>;
    if (typeof object.Ref === "string") {
      const pseudo: Record<string, string> = {
        "AWS::Partition": "aws",
        "AWS::Region": region,
        "AWS::AccountId": account,
        "AWS::URLSuffix": "amazonaws.com",
      };
      if (pseudo[object.Ref]) return pseudo[object.Ref];
      const resource = resources[object.Ref];
      if (resource?.Type === "AWS::SQS::Queue") return urlOf(nameOf(object.Ref));
      if (resource?.Type === "AWS::S3::Bucket") return "mercato-media-0123";
      if (
        resource?.Type === "AWS::SecretsManager::Secret" ||
        resource?.Type === "AWS::SecretsManager::SecretTargetAttachment"
      )
        return `arn:aws:secretsmanager:${region}:${account}:secret:${object.Ref}`;
      return nameOf(object.Ref);
    }
    if (Array.isArray(object["Fn::GetAtt"])) {
      const [id, attribute] = object["Fn::GetAtt"] as [string, string];
      const type = resources[id]?.Type;
      if (attribute === "QueueName" || attribute === "Name") return nameOf(id);
      if (type === "AWS::SQS::Queue") return `arn:aws:sqs:${region}:${account}:${nameOf(id)}`;
      if (attribute === "Endpoint.Address") return "mercato.abc123.us-east-1.rds.amazonaws.com";
      if (attribute === "Endpoint.Port") return "5432";
      if (attribute === "DNSName") return "mercato-123.us-east-1.elb.amazonaws.com";
      if (attribute === "ApiEndpoint") return `https://a1b2c3.execute-api.${region}.amazonaws.com`;
      if (type === "AWS::S3::Bucket") return "arn:aws:s3:::mercato-media-0123";
      if (type === "AWS::Events::Rule") {
        const bus = walk(resources[id]?.Properties.EventBusName);
        return `arn:aws:events:${region}:${account}:rule/${bus}/${nameOf(id)}`;
      }
      if (type === "AWS::Events::EventBus")
        return `arn:aws:events:${region}:${account}:event-bus/${nameOf(id)}`;
      throw new Error(`Cannot resolve ${JSON.stringify(object)}`);
    }
    if (Array.isArray(object["Fn::Join"])) {
      const [separator, parts] = object["Fn::Join"] as [string, unknown[]];
      return parts.map(walk).join(separator);
    }
    return Object.fromEntries(Object.entries(object).map(([key, child]) => [key, walk(child)]));
  };
  return walk(value);
}

/** Whether an Allow statement grants the action on the resource (`*` as IAM's wildcard). */
function allows(statements: Record<string, unknown>[], action: string, resource: string): boolean {
  const glob = (pattern: string) =>
    new RegExp(
      `^${pattern
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
  return statements.some(
    (statement) =>
      statement.Effect === "Allow" &&
      asList(statement.Action).some((pattern) => glob(String(pattern)).test(action)) &&
      asList(statement.Resource).some((pattern) => glob(String(pattern)).test(resource)),
  );
}

/** The IAM action of an SQS command: a batch call needs its single call's permission. */
function sqsActionOf(commandName: string): string {
  return `sqs:${commandName.replace(/Batch$/, "")}`;
}

/** A stubbed client's call: its command's name (`CreateQueue`) and input. */
function commandOf(command: unknown): { name: string; input: Record<string, string> } {
  const sent = command as { constructor: { name: string }; input: Record<string, string> };
  return { name: sent.constructor.name.replace(/Command$/, ""), input: sent.input };
}

/** The template as a stable text: asset hashes, which follow every source file, are left out. */
function stableJson(template: Template): string {
  return `${JSON.stringify(template.toJSON(), null, 2).replace(/[0-9a-f]{64}/g, "<asset-hash>")}\n`;
}

describe.each(["containers", "lambda"] as const)("the CDK app with compute=%s", (compute) => {
  const template = () => templates.get(compute) as Template;

  it("has an SQS queue and DLQ for every declared queue, with its visibility timeout, maxReceiveCount and kind", () => {
    expect(expectedQueues.length).toBeGreaterThan(10);
    for (const { queue } of expectedQueues) {
      const fifo = queue.fifo !== undefined;
      const names = awsQueueNames(prefix, queue.name, fifo);
      const visibility = Math.ceil(queue.visibilityTimeoutMs / 1000);
      const [dlqId, dlq] = only(template(), "AWS::SQS::Queue", names.dlq, (p) => p.QueueName === names.dlq);
      const [, main] = only(template(), "AWS::SQS::Queue", names.queue, (p) => p.QueueName === names.queue);
      expect(main.Properties.RedrivePolicy, queue.name).toEqual({
        deadLetterTargetArn: { "Fn::GetAtt": [dlqId, "Arn"] },
        maxReceiveCount: queue.maxReceiveCount,
      });
      for (const resource of [main, dlq]) {
        expect(resource.Properties.VisibilityTimeout, queue.name).toBe(visibility);
        expect(resource.Properties.FifoQueue, queue.name).toBe(fifo ? true : undefined);
        expect(resource.Properties.MessageRetentionPeriod, queue.name).toBe(14 * 24 * 3600);
      }
    }
    // Nothing else: the queues of the deployment are exactly those the code declares.
    expect(resourcesOf(template(), "AWS::SQS::Queue")).toHaveLength(expectedQueues.length * 2);
  });

  it("has an EventBridge rule on the bus for every declared rule, with its pattern and its queue as target", () => {
    const [busId] = only(template(), "AWS::Events::EventBus", "the bus", () => true);
    for (const { rule, queue } of expectedQueues) {
      const fifo = queue.fifo !== undefined;
      const names = awsQueueNames(prefix, queue.name, fifo);
      const [queueId] = only(template(), "AWS::SQS::Queue", names.queue, (p) => p.QueueName === names.queue);
      const [, found] = only(
        template(),
        "AWS::Events::Rule",
        rule.name,
        (p) => p.Name === awsRuleName(prefix, rule.name),
      );
      expect(found.Properties.EventPattern, rule.name).toEqual(rule.eventPattern);
      expect(found.Properties.EventBusName).toEqual({ Ref: busId });
      expect(JSON.parse(found.Properties.Description)).toEqual({
        mercato: { rule: rule.name, queue: rule.queue, fifo },
      });
      if (fifo) {
        // The publisher sends FIFO events itself, each with its group: a target would make one group.
        expect(found.Properties.Targets, rule.name).toBeUndefined();
        const senders = statementsOf(template().findResources("AWS::IAM::Policy")).filter(
          (statement) =>
            asList(statement.Action).includes("sqs:SendMessage") &&
            asList(statement.Resource).some((resource) => JSON.stringify(resource).includes(`"${queueId}"`)),
        );
        expect(senders.length, `who may send to ${queue.name}`).toBeGreaterThan(0);
      } else {
        expect(found.Properties.Targets, rule.name).toEqual([
          { Id: "mercato-queue", Arn: { "Fn::GetAtt": [queueId, "Arn"] } },
        ]);
      }
    }
    const onTheBus = resourcesOf(template(), "AWS::Events::Rule").filter(
      ([, rule]) => rule.Properties.EventBusName,
    );
    expect(onTheBus).toHaveLength(expectedQueues.length);
  });

  it("alarms on every DLQ that is not empty and on every queue's oldest message", () => {
    const alarms = resourcesOf(template(), "AWS::CloudWatch::Alarm").map(([, alarm]) => alarm.Properties);
    const watching = (queueId: string, metric: string) =>
      alarms.filter(
        (alarm) =>
          alarm.Namespace === "AWS/SQS" &&
          alarm.MetricName === metric &&
          JSON.stringify(alarm.Dimensions) ===
            JSON.stringify([{ Name: "QueueName", Value: { "Fn::GetAtt": [queueId, "QueueName"] } }]),
      );
    const queues = resourcesOf(template(), "AWS::SQS::Queue");
    const deadLetterQueues = queues.filter(([, queue]) => /_dlq(\.fifo)?$/.test(queue.Properties.QueueName));
    expect(deadLetterQueues).toHaveLength(expectedQueues.length);
    for (const [id, queue] of deadLetterQueues) {
      const [alarm] = watching(id, "ApproximateNumberOfMessagesVisible");
      expect(alarm, `alarm of ${queue.Properties.QueueName}`).toMatchObject({
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
      });
      expect(alarm.AlarmActions).toHaveLength(1);
    }
    const deadLetterIds = new Set(deadLetterQueues.map(([id]) => id));
    for (const [id, queue] of queues.filter(([queueId]) => !deadLetterIds.has(queueId))) {
      expect(watching(id, "ApproximateAgeOfOldestMessage"), queue.Properties.QueueName).toHaveLength(1);
    }
    const names = alarms.map((alarm) => alarm.AlarmName);
    expect(names).toContain(`${prefix}-gateway-5xx-rate`);
    expect(names).toContain(`${prefix}-checkout-failures`);
  });

  it("counts failed checkouts from the log lines of orders' requests and of its payment timeout sweep", () => {
    const filters = resourcesOf(template(), "AWS::Logs::MetricFilter").map(([, filter]) => filter.Properties);
    const logGroupOf = (pattern: string) =>
      filters.find((filter) => filter.FilterPattern === pattern)?.LogGroupName.Ref as string;
    const requests = logGroupOf(
      '{ ($.method = "POST") && ($.route = "/api/orders") && ($.statusCode >= 500) }',
    );
    const sweep = logGroupOf('{ $.msg = "rejected orders whose payment did not answer in time" }');
    expect(filters).toHaveLength(2);
    for (const filter of filters) expect(filter.MetricTransformations[0].MetricName).toBe("CheckoutFailures");
    // Orders serves the checkout and runs the sweep: in its container, or in the HTTP function and its task function.
    if (compute === "containers") {
      expect(requests).toMatch(/^Containersorders/);
      expect(sweep).toBe(requests);
    } else {
      expect(requests).toMatch(/^FunctionshttpLogs/);
      expect(sweep).toMatch(/^FunctionsorderstasksLogs/);
    }
  });

  it("grants nothing on everything: no statement has the action * on the resource *", () => {
    const statements = statementsOf(template().toJSON());
    expect(statements.length).toBeGreaterThan(50);
    const everything = statements.filter(
      (statement) =>
        statement.Effect === "Allow" &&
        asList(statement.Action).some((action) => action === "*" || action === "*:*") &&
        asList(statement.Resource).includes("*"),
    );
    expect(everything).toEqual([]);
    // The wildcards left are listings that IAM cannot narrow, and the platform's own services'.
    for (const statement of statements.filter((s) => asList(s.Resource).includes("*"))) {
      for (const action of asList(statement.Action)) expect(String(action)).not.toMatch(/:\*$|^\*$/);
    }
  });

  it("gives the media bucket only to the roles of the processes that run a service keeping blobs", () => {
    const rolesWith = (action: string) =>
      resourcesOf(template(), "AWS::IAM::Policy")
        .filter(([, policy]) =>
          statementsOf(policy.Properties.PolicyDocument).some((statement) =>
            asList(statement.Action).includes(action),
          ),
        )
        .flatMap(([, policy]) => policy.Properties.Roles.map((role: { Ref: string }) => role.Ref))
        .sort();
    const expected =
      compute === "containers"
        ? blobServices.map((service) => new RegExp(`^Containers${service}TaskTaskRole`))
        : [
            /^FunctionsHttpServiceRole/,
            ...blobServices.flatMap((service) => [
              new RegExp(`^Functions${service}ConsumerServiceRole`),
              new RegExp(`^Functions${service}TasksServiceRole`),
            ]),
          ];
    const roles = rolesWith("s3:PutObject");
    expect(roles).toHaveLength(expected.length);
    for (const pattern of expected)
      expect(
        roles.some((role) => pattern.test(role)),
        String(pattern),
      ).toBe(true);
  });

  it("matches the reviewed template", async () => {
    await expect(stableJson(template())).toMatchFileSnapshot(
      path.join(snapshots, `${compute}.template.json`),
    );
  });
});

describe("the queues and rules as the aws transport declares them", () => {
  /**
   * A service declares its queues and rules again at every start (run-service), through the aws
   * transport: the requests it makes, captured here with aws-sdk-client-mock, must ask for exactly
   * what the template already made, so that the deployment and the services never undo each other.
   */
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const sqs = new SQSClient({ region, credentials });
  const eventBridge = new EventBridgeClient({ region, credentials });
  const sqsMock = mockClient(sqs);
  const eventBridgeMock = mockClient(eventBridge);
  afterAll(() => {
    sqsMock.restore();
    eventBridgeMock.restore();
  });

  /** Declares the queues and their rules as run-service does at start, against the stubs. */
  async function declareAtStart(queues: typeof expectedQueues): Promise<void> {
    sqsMock.reset();
    eventBridgeMock.reset();
    sqsMock
      .on(GetQueueUrlCommand)
      .rejects(Object.assign(new Error("no such queue"), { name: "QueueDoesNotExist" }));
    sqsMock.on(CreateQueueCommand).callsFake((input) => ({ QueueUrl: urlOf(input.QueueName) }));
    sqsMock.on(GetQueueAttributesCommand).callsFake((input) => ({
      Attributes: { QueueArn: `arn:aws:sqs:${region}:${account}:${String(input.QueueUrl).split("/").pop()}` },
    }));
    sqsMock.on(SetQueueAttributesCommand).resolves({});
    sqsMock.on(TagQueueCommand).resolves({});
    eventBridgeMock.on(PutRuleCommand).callsFake((input) => ({
      RuleArn: `arn:aws:events:${region}:${account}:rule/${input.EventBusName}/${input.Name}`,
    }));
    eventBridgeMock.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
    eventBridgeMock.on(RemoveTargetsCommand).resolves({ FailedEntryCount: 0 });
    const transport = createAwsTransport({
      url: `aws://${region}/${prefix}`,
      prefix,
      sqs,
      eventBridge,
      logger: silentLogger(),
    });
    try {
      for (const { queue, rule } of queues) {
        await transport.declareQueue(queue);
        await transport.putRule(rule);
      }
    } finally {
      await transport.close();
    }
  }

  it("asks for the queues, DLQs, tags, queue policies and rules the template holds", async () => {
    const template = templates.get("containers") as Template;
    await declareAtStart(expectedQueues);

    const queues = resourcesOf(template, "AWS::SQS::Queue");
    const policies = resourcesOf(template, "AWS::SQS::QueuePolicy").map(([, policy]) => policy.Properties);
    for (const { queue, rule } of expectedQueues) {
      const fifo = queue.fifo !== undefined;
      const names = awsQueueNames(prefix, queue.name, fifo);
      const [mainId, main] = only(
        template,
        "AWS::SQS::Queue",
        names.queue,
        (p) => p.QueueName === names.queue,
      );
      const [, dlq] = only(template, "AWS::SQS::Queue", names.dlq, (p) => p.QueueName === names.dlq);
      for (const [name, resource] of [
        [names.queue, main],
        [names.dlq, dlq],
      ] as const) {
        const created = sqsMock
          .commandCalls(CreateQueueCommand)
          .find((call) => call.args[0].input.QueueName === name);
        expect(created?.args[0].input.Attributes, name).toEqual(fifo ? { FifoQueue: "true" } : undefined);
        expect(resource.Properties.FifoQueue, name).toBe(fifo ? true : undefined);
      }
      const set = sqsMock
        .commandCalls(SetQueueAttributesCommand)
        .map((call) => call.args[0].input)
        .filter((input) => input.QueueUrl === urlOf(names.queue) || input.QueueUrl === urlOf(names.dlq));
      const attributes = (url: string) =>
        Object.assign({}, ...set.filter((input) => input.QueueUrl === url).map((input) => input.Attributes));
      expect(attributes(urlOf(names.dlq)), names.dlq).toEqual({
        MessageRetentionPeriod: String(dlq.Properties.MessageRetentionPeriod),
      });
      const { Policy, RedrivePolicy, ...plain } = attributes(urlOf(names.queue));
      expect(plain, names.queue).toEqual({
        VisibilityTimeout: String(main.Properties.VisibilityTimeout),
        MessageRetentionPeriod: String(main.Properties.MessageRetentionPeriod),
      });
      expect(JSON.parse(RedrivePolicy), names.queue).toEqual(
        resolve(template, main.Properties.RedrivePolicy),
      );
      const deployed = policies.filter(
        (policy) => JSON.stringify(policy.Queues) === JSON.stringify([{ Ref: mainId }]),
      );
      if (fifo) {
        expect(Policy, names.queue).toBeUndefined();
        expect(deployed, names.queue).toEqual([]);
      } else {
        expect(deployed, names.queue).toHaveLength(1);
        expect(JSON.parse(Policy), names.queue).toEqual(resolve(template, deployed[0]?.PolicyDocument));
      }

      const tagged = sqsMock
        .commandCalls(TagQueueCommand)
        .find((call) => call.args[0].input.QueueUrl === urlOf(names.queue));
      const deployedTags = Object.fromEntries(
        (main.Properties.Tags as { Key: string; Value: string }[])
          .filter((tag) => tag.Key.startsWith("mercato:") && tag.Key !== "mercato:prefix")
          .map((tag) => [tag.Key, tag.Value]),
      );
      expect(deployedTags, names.queue).toEqual(tagged?.args[0].input.Tags);

      const ruleName = awsRuleName(prefix, rule.name);
      const [, deployedRule] = only(template, "AWS::Events::Rule", ruleName, (p) => p.Name === ruleName);
      const put = eventBridgeMock
        .commandCalls(PutRuleCommand)
        .find((call) => call.args[0].input.Name === ruleName);
      const { EventPattern, ...ruleInput } = put?.args[0].input ?? {};
      expect(JSON.parse(String(EventPattern)), ruleName).toEqual(deployedRule.Properties.EventPattern);
      expect(ruleInput, ruleName).toEqual({
        Name: deployedRule.Properties.Name,
        EventBusName: resolve(template, deployedRule.Properties.EventBusName),
        State: deployedRule.Properties.State,
        Description: deployedRule.Properties.Description,
      });
      const targets = eventBridgeMock
        .commandCalls(PutTargetsCommand)
        .filter((call) => call.args[0].input.Rule === ruleName)
        .map((call) => call.args[0].input.Targets);
      expect(targets, ruleName).toEqual(fifo ? [] : [resolve(template, deployedRule.Properties.Targets)]);
    }
    expect(queues).toHaveLength(expectedQueues.length * 2);
  });

  it("lets each service's task make every call the transport makes for it at start", async () => {
    const template = templates.get("containers") as Template;
    const rolesOf = new Map(
      resourcesOf(template, "AWS::ECS::TaskDefinition").map(([, task]) => [
        task.Properties.ContainerDefinitions[0].Environment.find(
          (variable: { Name: string }) => variable.Name === "MERCATO_SERVICE",
        ).Value as string,
        task.Properties.TaskRoleArn["Fn::GetAtt"][0] as string,
      ]),
    );
    for (const service of new Set(expectedQueues.map((queue) => queue.service))) {
      const role = rolesOf.get(service);
      const statements = resourcesOf(template, "AWS::IAM::Policy")
        .filter(([, policy]) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
        .flatMap(([, policy]) => statementsOf(resolve(template, policy.Properties.PolicyDocument)));
      await declareAtStart(expectedQueues.filter((queue) => queue.service === service));
      const calls = [
        ...sqsMock.calls().map((call) => {
          const command = commandOf(call.args[0]);
          const queue = command.input.QueueName ?? String(command.input.QueueUrl).split("/").pop();
          return [sqsActionOf(command.name), `arn:aws:sqs:${region}:${account}:${queue}`];
        }),
        ...eventBridgeMock.calls().map((call) => {
          const command = commandOf(call.args[0]);
          const rule = command.input.Name ?? command.input.Rule;
          return [
            `events:${command.name}`,
            `arn:aws:events:${region}:${account}:rule/${command.input.EventBusName}/${rule}`,
          ];
        }),
      ];
      expect(calls.length, service).toBeGreaterThan(5);
      for (const [action, resource] of calls) {
        expect(
          allows(statements, String(action), String(resource)),
          `${service} may ${action} on ${resource}`,
        ).toBe(true);
      }
    }
  });

  it("lets webhooks make, route and remove its runtime queues, and no other service", async () => {
    const template = templates.get("containers") as Template;
    const taskRoles = resourcesOf(template, "AWS::ECS::TaskDefinition").map(([, task]) => [
      task.Properties.ContainerDefinitions[0].Environment.find(
        (variable: { Name: string }) => variable.Name === "MERCATO_SERVICE",
      ).Value as string,
      task.Properties.TaskRoleArn["Fn::GetAtt"][0] as string,
    ]);
    // A webhook's queue and rule as RuntimeQueues names them: `<service>-<key>`.
    const runtime = { queue: "webhooks-0190a1b2-c3d4", rule: "webhooks-0190a1b2-c3d4" };
    await declareAtStart([]);
    eventBridgeMock.on(ListRulesCommand).resolves({ Rules: [] });
    eventBridgeMock.on(DeleteRuleCommand).resolves({});
    sqsMock.on(DeleteQueueCommand).resolves({});
    const transport = createAwsTransport({
      url: `aws://${region}/${prefix}`,
      prefix,
      sqs,
      eventBridge,
      logger: silentLogger(),
    });
    try {
      await transport.declareQueue({
        name: runtime.queue,
        visibilityTimeoutMs: 15_000,
        maxReceiveCount: 8,
        backoff: { baseMs: 1_000, maxMs: 60_000 },
      });
      await transport.putRule({
        name: runtime.rule,
        queue: runtime.queue,
        eventPattern: { source: [{ prefix: "mercato." }] },
      });
      await transport.deleteRule(runtime.rule);
      await transport.deleteQueue(runtime.queue);
    } finally {
      await transport.close();
    }
    const calls = [
      ...sqsMock.calls().map((call) => {
        const command = commandOf(call.args[0]);
        const queue = command.input.QueueName ?? String(command.input.QueueUrl).split("/").pop();
        return [sqsActionOf(command.name), `arn:aws:sqs:${region}:${account}:${queue}`];
      }),
      ...eventBridgeMock.calls().map((call) => {
        const command = commandOf(call.args[0]);
        const rule = command.input.Name ?? command.input.Rule;
        return [
          `events:${command.name}`,
          rule === undefined
            ? "*"
            : `arn:aws:events:${region}:${account}:rule/${command.input.EventBusName}/${rule}`,
        ];
      }),
    ];
    expect(calls.map(([action]) => action)).toEqual(
      expect.arrayContaining([
        "sqs:CreateQueue",
        "sqs:SetQueueAttributes",
        "events:PutRule",
        "events:PutTargets",
        "events:DeleteRule",
        "sqs:DeleteQueue",
      ]),
    );
    for (const [service, role] of taskRoles) {
      const statements = resourcesOf(template, "AWS::IAM::Policy")
        .filter(([, policy]) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
        .flatMap(([, policy]) => statementsOf(resolve(template, policy.Properties.PolicyDocument)));
      const refused = calls.filter(
        ([action, resource]) => !allows(statements, String(action), String(resource)),
      );
      if (service === "webhooks") expect(refused, service).toEqual([]);
      else
        expect(
          refused.map(([action]) => action),
          service,
        ).toContain("sqs:CreateQueue");
    }
  });

  it("lets a service publish to the FIFO queues its events match, found from what the template made", async () => {
    const template = templates.get("containers") as Template;
    const rolesOf = new Map(
      resourcesOf(template, "AWS::ECS::TaskDefinition").map(([, task]) => [
        task.Properties.ContainerDefinitions[0].Environment.find(
          (variable: { Name: string }) => variable.Name === "MERCATO_SERVICE",
        ).Value as string,
        task.Properties.TaskRoleArn["Fn::GetAtt"][0] as string,
      ]),
    );
    const deployedQueues = new Map(
      resourcesOf(template, "AWS::SQS::Queue").map(([, queue]) => [
        queue.Properties.QueueName as string,
        queue,
      ]),
    );
    const fifoQueues = expectedQueues.filter((queue) => queue.queue.fifo !== undefined);
    expect(fifoQueues.length).toBeGreaterThan(0);
    for (const fifo of fifoQueues) {
      const sqsName = awsQueueNames(prefix, fifo.queue.name, true).queue;
      const [, deployedRule] = only(
        template,
        "AWS::Events::Rule",
        fifo.rule.name,
        (p) => p.Name === awsRuleName(prefix, fifo.rule.name),
      );
      // What SQS and EventBridge answer a process that never declared the queue: what the stack made.
      sqsMock.reset();
      eventBridgeMock.reset();
      sqsMock.on(GetQueueUrlCommand).callsFake((input) => {
        if (deployedQueues.has(input.QueueName)) return { QueueUrl: urlOf(input.QueueName) };
        throw Object.assign(new Error("no such queue"), { name: "QueueDoesNotExist" });
      });
      sqsMock.on(ListQueueTagsCommand).callsFake((input) => {
        const queue = deployedQueues.get(String(input.QueueUrl).split("/").pop() as string);
        const tags = (queue?.Properties.Tags ?? []) as { Key: string; Value: string }[];
        return { Tags: Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value])) };
      });
      sqsMock.on(GetQueueAttributesCommand).callsFake((input) => {
        const name = String(input.QueueUrl).split("/").pop() as string;
        const redrive = deployedQueues.get(name)?.Properties.RedrivePolicy;
        return {
          Attributes: {
            QueueArn: `arn:aws:sqs:${region}:${account}:${name}`,
            ...(redrive ? { RedrivePolicy: JSON.stringify(resolve(template, redrive)) } : {}),
          },
        };
      });
      sqsMock.on(SendMessageBatchCommand).callsFake((input) => ({
        Successful: (input.Entries as { Id: string }[]).map((entry) => ({
          Id: entry.Id,
          MessageId: entry.Id,
        })),
        Failed: [],
      }));
      eventBridgeMock.on(ListRulesCommand).resolves({
        Rules: [
          {
            Name: deployedRule.Properties.Name,
            EventPattern: JSON.stringify(deployedRule.Properties.EventPattern),
            Description: deployedRule.Properties.Description,
          },
        ],
      });
      eventBridgeMock.on(PutEventsCommand).callsFake((input) => ({
        FailedEntryCount: 0,
        Entries: (input.Entries as unknown[]).map(() => ({ EventId: "e" })),
      }));

      const branches = (fifo.rule.eventPattern.$or as EventPattern[] | undefined) ?? [fifo.rule.eventPattern];
      for (const branch of branches) {
        const source = String((branch.source as string[])[0]);
        const detailType = String((branch["detail-type"] as string[])[0]);
        const publisher = source.replace(/^mercato\./, "");
        const transport = createAwsTransport({
          url: `aws://${region}/${prefix}`,
          prefix,
          sqs,
          eventBridge,
          logger: silentLogger(),
        });
        sqsMock.resetHistory();
        eventBridgeMock.resetHistory();
        try {
          await transport.publish([event(source, detailType, { orderId: "o-1" })]);
        } finally {
          await transport.close();
        }
        const sent = sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.QueueUrl);
        expect(sent, `${detailType} to ${sqsName}`).toEqual([urlOf(sqsName)]);
        const role = rolesOf.get(publisher);
        const statements = resourcesOf(template, "AWS::IAM::Policy")
          .filter(([, policy]) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
          .flatMap(([, policy]) => statementsOf(resolve(template, policy.Properties.PolicyDocument)));
        const calls = [
          ...sqsMock.calls().map((call) => {
            const command = commandOf(call.args[0]);
            const queue = command.input.QueueName ?? String(command.input.QueueUrl).split("/").pop();
            return [sqsActionOf(command.name), `arn:aws:sqs:${region}:${account}:${queue}`];
          }),
          ...eventBridgeMock.calls().map((call) => {
            const { name } = commandOf(call.args[0]);
            const resource =
              name === "PutEvents" ? `arn:aws:events:${region}:${account}:event-bus/${prefix}` : "*";
            return [`events:${name}`, resource];
          }),
        ];
        for (const [action, resource] of calls) {
          expect(
            allows(statements, String(action), String(resource)),
            `${publisher} may ${action} on ${resource}`,
          ).toBe(true);
        }
      }
    }
  });
});

describe("the services' settings as deployed", () => {
  /** What Secrets Manager fills in, as the platform checks it (the sealing key: 32 bytes in base64). */
  const secretValues: Record<string, string> = {
    PGUSER: "mercato",
    PGPASSWORD: "generated",
    MERCATO_OPS_TOKEN: "o".repeat(48),
    MERCATO_SECRET_KEY: "k".repeat(43),
    MERCATO_ADMIN_PASSWORD: "a".repeat(24),
  };
  const definitions = new Map(serviceCatalog.map((entry) => [entry.name, entry.create()]));

  /** Each service's settings schema over the variables, as the host parses them at start. */
  function expectServiceSettings(service: string, env: Record<string, string>): void {
    const definition = definitions.get(service);
    expect(definition, service).toBeDefined();
    const parsed = definition?.settings?.safeParse(env);
    expect(parsed?.error?.issues ?? [], service).toEqual([]);
  }

  it("gives each task variables the platform and its service accept", () => {
    const template = templates.get("containers") as Template;
    for (const [, task] of resourcesOf(template, "AWS::ECS::TaskDefinition")) {
      const container = task.Properties.ContainerDefinitions[0];
      const env: Record<string, string> = Object.fromEntries(
        container.Environment.map(({ Name, Value }: { Name: string; Value: unknown }) => [
          Name,
          String(resolve(template, Value)),
        ]),
      );
      for (const { Name } of container.Secrets as { Name: string }[]) {
        expect(secretValues[Name], Name).toBeDefined();
        env[Name] = secretValues[Name] as string;
      }
      const service = env.MERCATO_SERVICE as string;
      const config = loadConfig(env);
      expect(config.busUrl, service).toBe(`aws://${region}/${prefix}`);
      expect(config.busPrefix, service).toBe(prefix);
      expect(config.databaseUrl, service).toBe(
        "postgres://mercato.abc123.us-east-1.rds.amazonaws.com:5432/postgres?sslmode=no-verify",
      );
      expect(config.blobUrl, service).toBe(
        blobServices.includes(service) ? "s3://mercato-media-0123/blobs" : undefined,
      );
      expect(config.admin !== undefined, service).toBe(service === "identity");
      expectServiceSettings(service, env);
    }
  });

  it("gives each function variables the Lambda entry points and the services accept", () => {
    const template = templates.get("lambda") as Template;
    for (const [id, fn] of resourcesOf(template, "AWS::Lambda::Function")) {
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(variables)) {
        const resolved = String(resolve(template, value));
        // A secret is a dynamic reference, which CloudFormation resolves at deploy.
        if (resolved.startsWith("{{resolve:secretsmanager:")) {
          expect(secretValues[name], `${id} ${name}`).toBeDefined();
          env[name] = secretValues[name] as string;
        } else {
          env[name] = resolved;
        }
      }
      const { config, services, publicUrl } = lambdaEnvironment(env);
      expect(publicUrl, id).toBe("https://a1b2c3.execute-api.us-east-1.amazonaws.com");
      expect(config.busUrl, id).toBe(`aws://${region}/${prefix}`);
      for (const service of services) expectServiceSettings(service.name, env);
    }
  });
});

describe("the containers variant", () => {
  const template = () => templates.get("containers") as Template;

  it("runs every service as a Fargate service of the one image, chosen by MERCATO_SERVICE", () => {
    const tasks = resourcesOf(template(), "AWS::ECS::TaskDefinition").map(([, task]) => task.Properties);
    const services = tasks.map(
      (task) =>
        task.ContainerDefinitions[0].Environment.find(
          (variable: { Name: string }) => variable.Name === "MERCATO_SERVICE",
        )?.Value,
    );
    expect(services.sort()).toEqual(serviceCatalog.map((entry) => entry.name).sort());
    expect(resourcesOf(template(), "AWS::ECS::Service")).toHaveLength(serviceCatalog.length);
  });

  it("gives MERCATO_SECRET_KEY only to the services that seal payment tokens, the admin's password to identity", () => {
    const sealing = serviceCatalog
      .filter((entry) => entry.create().secrets?.includes("sealedBox"))
      .map((e) => e.name);
    expect(sealing.length).toBeGreaterThan(0);
    for (const [, task] of resourcesOf(template(), "AWS::ECS::TaskDefinition")) {
      const container = task.Properties.ContainerDefinitions[0];
      const service = container.Environment.find(
        (variable: { Name: string }) => variable.Name === "MERCATO_SERVICE",
      ).Value;
      const secrets = container.Secrets.map((secret: { Name: string }) => secret.Name);
      expect(secrets.includes("MERCATO_SECRET_KEY"), service).toBe(sealing.includes(service));
      // Identity creates the first admin, with a generated password rather than the documented default.
      expect(secrets.includes("MERCATO_ADMIN_PASSWORD"), service).toBe(service === "identity");
      expect(secrets, service).toEqual(expect.arrayContaining(["PGUSER", "PGPASSWORD", "MERCATO_OPS_TOKEN"]));
    }
  });

  it("lets each task consume only its own service's queues, and make queues only webhooks", () => {
    const queueNames = new Map(
      resourcesOf(template(), "AWS::SQS::Queue").map(([id, queue]) => [
        id,
        queue.Properties.QueueName as string,
      ]),
    );
    const roleOfTask = new Map(
      resourcesOf(template(), "AWS::ECS::TaskDefinition").map(([, task]) => [
        task.Properties.TaskRoleArn["Fn::GetAtt"][0] as string,
        task.Properties.ContainerDefinitions[0].Environment.find(
          (variable: { Name: string }) => variable.Name === "MERCATO_SERVICE",
        ).Value as string,
      ]),
    );
    const consumers = new Set<string>();
    for (const [, policy] of resourcesOf(template(), "AWS::IAM::Policy")) {
      const services = policy.Properties.Roles.map((role: { Ref: string }) => roleOfTask.get(role.Ref));
      if (services.some((service: string | undefined) => service === undefined)) continue;
      const [service] = services as string[];
      for (const statement of statementsOf(policy.Properties.PolicyDocument)) {
        const actions = asList(statement.Action);
        if (!actions.includes("sqs:ReceiveMessage") && !actions.includes("sqs:CreateQueue")) continue;
        consumers.add(service as string);
        for (const resource of asList(statement.Resource)) {
          const name =
            typeof resource === "object" && resource !== null && "Fn::GetAtt" in resource
              ? queueNames.get((resource as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0])
              : JSON.stringify(resolve(template(), resource));
          expect(name, `${service}: ${JSON.stringify(resource)}`).toMatch(
            service === "webhooks" ? new RegExp(`${prefix}_webhooks-`) : new RegExp(`^${prefix}_${service}-`),
          );
        }
      }
    }
    expect([...consumers].sort()).toEqual(
      [...new Set([...expectedQueues.map((queue) => queue.service), ...runtimeQueueServices])].sort(),
    );
  });

  it("puts the gateway alone behind the load balancer, and scales each consumer on its queues' depth", () => {
    const targeted = resourcesOf(template(), "AWS::ECS::Service").filter(([, service]) =>
      Array.isArray(service.Properties.LoadBalancers),
    );
    expect(targeted).toHaveLength(1);
    expect(targeted[0]?.[0]).toMatch(/^Containersgateway/);
    const stepPolicies = resourcesOf(template(), "AWS::CloudWatch::Alarm").filter(([id]) =>
      id.includes("QueueDepth"),
    );
    const consumers = new Set(expectedQueues.map((queue) => queue.service));
    // One alarm to add tasks and one to remove them per consumer service.
    expect(stepPolicies).toHaveLength(consumers.size * 2);
  });
});

describe("the lambda variant", () => {
  const template = () => templates.get("lambda") as Template;

  it("feeds every declared queue to its service's function, reporting failed records one by one", () => {
    const mappings = resourcesOf(template(), "AWS::Lambda::EventSourceMapping").map(
      ([, mapping]) => mapping.Properties,
    );
    expect(mappings).toHaveLength(expectedQueues.length);
    for (const mapping of mappings) {
      expect(mapping.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    }
  });

  it("runs every service's periodic tasks every minute, in a function of that service alone", () => {
    const functions = template().findResources("AWS::Lambda::Function") as Record<string, Resource>;
    const schedules = resourcesOf(template(), "AWS::Events::Rule").filter(
      ([, rule]) => rule.Properties.ScheduleExpression !== undefined,
    );
    expect(schedules).toHaveLength(serviceCatalog.length);
    const scheduled = schedules.map(([, rule]) => {
      expect(rule.Properties.ScheduleExpression).toBe("rate(1 minute)");
      const target = functions[rule.Properties.Targets[0].Arn["Fn::GetAtt"][0]];
      expect(target?.Properties.Handler).toBe(lambdaHandlers.scheduled);
      return target?.Properties.Environment.Variables.MERCATO_SERVICES;
    });
    expect(scheduled.sort()).toEqual(serviceCatalog.map((entry) => entry.name).sort());
  });

  it("deploys the handlers `npm run build` writes", () => {
    const handlers = resourcesOf(template(), "AWS::Lambda::Function").map(([, fn]) => fn.Properties.Handler);
    expect(new Set(handlers)).toEqual(new Set(Object.values(lambdaHandlers)));
  });

  it("sends HTTP through an API Gateway HTTP API to the gateway function", () => {
    template().resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    template().hasResourceProperties("AWS::ApiGatewayV2::Integration", { PayloadFormatVersion: "2.0" });
  });
});

describe("deploymentSettings", () => {
  const read = (values: Record<string, unknown>) => (key: string) => values[key];

  it("defaults to containers under the prefix mercato", () => {
    expect(deploymentSettings(read({}))).toEqual({
      compute: "containers",
      prefix: "mercato",
      queueAgeSeconds: 300,
      adminEmail: "admin@mercato.local",
    });
  });

  it("takes every setting", () => {
    expect(
      deploymentSettings(
        read({
          "mercato:compute": "containers",
          "mercato:prefix": "shop-eu",
          "mercato:image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mercato:1.0",
          "mercato:certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234",
          "mercato:alarmEmail": "ops@example.com",
          "mercato:publicUrl": "https://shop.example.com",
          "mercato:queueAgeSeconds": "600",
          "mercato:adminEmail": "owner@example.com",
        }),
      ),
    ).toEqual({
      compute: "containers",
      prefix: "shop-eu",
      image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mercato:1.0",
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234",
      alarmEmail: "ops@example.com",
      publicUrl: "https://shop.example.com",
      queueAgeSeconds: 600,
      adminEmail: "owner@example.com",
    });
  });

  it("names every bad setting at once", () => {
    expect(() =>
      deploymentSettings(
        read({
          "mercato:compute": "kubernetes",
          "mercato:prefix": "Shop_EU",
          "mercato:certificateArn": "cert",
          "mercato:alarmEmail": "ops",
          "mercato:adminEmail": "admin",
          "mercato:publicUrl": "shop.example.com",
          "mercato:queueAgeSeconds": "10",
        }),
      ),
    ).toThrow(
      [
        "Invalid deployment settings:",
        '  - mercato:compute must be "containers" or "lambda" (got "kubernetes")',
        '  - mercato:prefix must be lowercase letters, digits and - (at most 31), starting with a letter (got "Shop_EU")',
        '  - mercato:certificateArn must be an ACM certificate ARN (got "cert")',
        '  - mercato:alarmEmail must be an email address (got "ops")',
        '  - mercato:adminEmail must be an email address (got "admin")',
        '  - mercato:publicUrl must be an http(s) URL (got "shop.example.com")',
        '  - mercato:queueAgeSeconds must be a whole number of seconds, at least 60 (got "10")',
      ].join("\n"),
    );
  });

  it("refuses a certificate for functions, an image with spaces and values that are not strings", () => {
    expect(() =>
      deploymentSettings(
        read({
          "mercato:compute": "lambda",
          "mercato:certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abcd",
          "mercato:image": "mercato latest",
          "mercato:queueAgeSeconds": 600,
        }),
      ),
    ).toThrow(
      [
        "Invalid deployment settings:",
        "  - mercato:image must be an image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mercato:1.0",
        "  - mercato:certificateArn is for the load balancer of compute=containers",
        "  - mercato:queueAgeSeconds must be a string (got 600)",
      ].join("\n"),
    );
  });
});

describe("the app as cdk.json runs it", () => {
  it("refuses bad settings with one message naming each, and exit code 1", async () => {
    const app = path.join(root, "deploy/aws/bin/mercato.ts");
    const failed = await run(process.execPath, ["--import", "tsx", app], {
      cwd: path.join(root, "deploy/aws"),
      env: {
        ...process.env,
        CDK_OUTDIR: path.join(outdir, "refused"),
        CDK_CONTEXT_JSON: JSON.stringify({ "mercato:compute": "k8s", "mercato:prefix": "A" }),
      },
    }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toBe(
      [
        "Invalid deployment settings:",
        '  - mercato:compute must be "containers" or "lambda" (got "k8s")',
        '  - mercato:prefix must be lowercase letters, digits and - (at most 31), starting with a letter (got "A")',
        "",
      ].join("\n"),
    );
  });
});

describe("what the definitions do not say", () => {
  /** The services whose sources (tests left out) match `pattern`. */
  async function servicesWhoseSourceMatches(pattern: RegExp): Promise<string[]> {
    const found: string[] = [];
    for (const { name } of serviceCatalog) {
      const folder = path.join(root, "services", name, "src");
      const files = (await fs.readdir(folder, { recursive: true })).filter(
        (file) => file.endsWith(".ts") && !file.endsWith(".test.ts"),
      );
      const sources = await Promise.all(files.map((file) => fs.readFile(path.join(folder, file), "utf8")));
      if (sources.some((source) => pattern.test(source))) found.push(name);
    }
    return found;
  }

  it("lists the services that open the blob store", async () => {
    expect(await servicesWhoseSourceMatches(/\bcreateBlobStore\(/)).toEqual([...blobServices]);
  });

  it("lists the services that make runtime queues", async () => {
    expect(await servicesWhoseSourceMatches(/\bqueues\.(declare|putRule)\(/)).toEqual([
      ...runtimeQueueServices,
    ]);
  });

  it("knows who publishes what a pattern matches", () => {
    const services = ["orders", "payments", "inventory"];
    expect(publishersOf({ source: ["mercato.orders"], "detail-type": ["OrderPlaced"] }, services)).toEqual([
      "orders",
    ]);
    expect(
      publishersOf({ $or: [{ source: ["mercato.payments"] }, { source: ["mercato.orders"] }] }, services),
    ).toEqual(["orders", "payments"]);
    // Anything it cannot pin down is published to by every service.
    expect(publishersOf({ "detail-type": ["OrderPlaced"] }, services)).toEqual(services);
    expect(publishersOf({ source: [{ prefix: "mercato." }] }, services)).toEqual(services);
    expect(publishersOf({ source: ["shopify.orders"] }, services)).toEqual(services);
  });
});
