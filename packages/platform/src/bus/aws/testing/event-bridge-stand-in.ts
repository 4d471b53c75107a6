import { randomUUID } from "node:crypto";
import {
  DeleteRuleCommand,
  EventBridgeClient,
  EventBridgeServiceException,
  ListRulesCommand,
  PutEventsCommand,
  type PutEventsResultEntry,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { GetQueueUrlCommand, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { compilePattern } from "../../patterns/index.ts";
import { emulatorCredentials, emulatorRegion } from "./sqs-emulator.ts";

interface StoredRule {
  name: string;
  bus: string;
  pattern: string;
  description?: string;
  targets: Map<string, Target>;
}

export interface EventBridgeStandIn {
  readonly client: EventBridgeClient;
  /** Every PutEvents request's entry count, in order. */
  readonly putEventsSizes: number[];
  restore(): void;
}

const ACCOUNT = "123456789012";

function notFound(message: string): EventBridgeServiceException {
  return new EventBridgeServiceException({
    name: "ResourceNotFoundException",
    $fault: "client",
    $metadata: {},
    message,
  });
}

/**
 * EventBridge for tests, through aws-sdk-client-mock: keeps rules and targets per bus, and routes
 * each PutEvents entry as EventBridge does: it builds the event EventBridge would deliver (its own
 * id, time to the second, the account and region), matches it against every rule of the bus with
 * Mercato's pattern engine (which passes EventBridge's conformance data), and sends it to the SQS
 * emulator once per matching rule's target. No emulator on npm implements EventBridge's matching.
 */
export function startEventBridgeStandIn(
  sqs: SQSClient,
  /**
   * One client (the default: a new one), or the class, which makes every EventBridgeClient of the
   * process the stand-in: for a host that opens its transport from BUS_URL itself.
   */
  target: "client" | "class" = "client",
): EventBridgeStandIn {
  const client = new EventBridgeClient({ region: emulatorRegion, credentials: emulatorCredentials });
  const mock = target === "class" ? mockClient(EventBridgeClient) : mockClient(client);
  const rules = new Map<string, StoredRule>();
  const putEventsSizes: number[] = [];
  const key = (bus: string | undefined, name: string | undefined) => `${bus ?? "default"}/${name}`;
  const ruleOf = (bus: string | undefined, name: string | undefined) => {
    const rule = rules.get(key(bus, name));
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus ?? "default"}.`);
    return rule;
  };

  mock.on(PutRuleCommand).callsFake((input) => {
    const bus = input.EventBusName ?? "default";
    const existing = rules.get(key(bus, input.Name));
    compilePattern(JSON.parse(input.EventPattern ?? "null"));
    rules.set(key(bus, input.Name), {
      name: input.Name ?? "",
      bus,
      pattern: input.EventPattern ?? "",
      description: input.Description,
      targets: existing?.targets ?? new Map(),
    });
    const path = bus === "default" ? input.Name : `${bus}/${input.Name}`;
    return { RuleArn: `arn:aws:events:${emulatorRegion}:${ACCOUNT}:rule/${path}`, $metadata: {} };
  });
  mock.on(PutTargetsCommand).callsFake((input) => {
    const rule = ruleOf(input.EventBusName, input.Rule);
    for (const target of input.Targets ?? []) rule.targets.set(target.Id ?? "", target);
    return { FailedEntryCount: 0, FailedEntries: [], $metadata: {} };
  });
  mock.on(RemoveTargetsCommand).callsFake((input) => {
    const rule = ruleOf(input.EventBusName, input.Rule);
    for (const id of input.Ids ?? []) rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [], $metadata: {} };
  });
  mock.on(DeleteRuleCommand).callsFake((input) => {
    const rule = rules.get(key(input.EventBusName, input.Name));
    if (rule && rule.targets.size > 0) {
      throw new EventBridgeServiceException({
        name: "ValidationException",
        $fault: "client",
        $metadata: {},
        message: "Rule can't be deleted since it has targets.",
      });
    }
    rules.delete(key(input.EventBusName, input.Name));
    return { $metadata: {} };
  });
  mock.on(ListRulesCommand).callsFake((input) => ({
    Rules: [...rules.values()]
      .filter((rule) => rule.bus === (input.EventBusName ?? "default"))
      .filter((rule) => rule.name.startsWith(input.NamePrefix ?? ""))
      .map((rule) => ({
        Name: rule.name,
        EventPattern: rule.pattern,
        Description: rule.description,
        State: "ENABLED",
      })),
    $metadata: {},
  }));
  mock.on(PutEventsCommand).callsFake(async (input) => {
    const entries = input.Entries ?? [];
    putEventsSizes.push(entries.length);
    if (entries.length > 10) throw new Error("PutEvents takes at most 10 entries");
    const results: PutEventsResultEntry[] = [];
    // Queue ARN -> the bodies EventBridge delivers to it, once per matching rule, in entry order.
    const deliveries = new Map<string, string[]>();
    for (const entry of entries) {
      const bus = entry.EventBusName ?? "default";
      const event = {
        version: "0",
        id: randomUUID(),
        "detail-type": entry.DetailType,
        source: entry.Source,
        account: ACCOUNT,
        time: `${(entry.Time ?? new Date()).toISOString().slice(0, 19)}Z`,
        region: emulatorRegion,
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail ?? "{}"),
      };
      const body = JSON.stringify(event);
      for (const rule of rules.values()) {
        if (rule.bus !== bus || !compilePattern(JSON.parse(rule.pattern)).matches(event)) continue;
        for (const target of rule.targets.values()) {
          const arn = target.Arn ?? "";
          deliveries.set(arn, [...(deliveries.get(arn) ?? []), body]);
        }
      }
      results.push({ EventId: event.id });
    }
    // One SendMessageBatch per queue (the emulator is slow per request; the messages are the same).
    for (const [arn, bodies] of deliveries) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: arn.split(":")[5] }));
      for (let i = 0; i < bodies.length; i += 10) {
        const batch = bodies.slice(i, i + 10);
        const sent = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl,
            Entries: batch.map((MessageBody, index) => ({ Id: String(index), MessageBody })),
          }),
        );
        if ((sent.Failed ?? []).length > 0)
          throw new Error(`SQS refused a delivery: ${JSON.stringify(sent.Failed)}`);
      }
    }
    return { FailedEntryCount: 0, Entries: results, $metadata: {} };
  });

  return { client, putEventsSizes, restore: () => mock.restore() };
}
