import { z } from "zod";
import { eventEnvelopeSchema } from "./envelope.ts";
import type { EventType } from "./event-type.ts";

/** Who sends an event type and who receives it: a service name, and a service with its queue. */
export interface EventParticipants {
  sender: string;
  receivers: { service: string; queue: string }[];
}

/** Participants by `<source>/<detail-type>`, as `eventKey` writes it. */
export type ParticipantsByEvent = Record<string, EventParticipants>;

type JsonSchema = Record<string, unknown>;

/** The key of an event type in `ParticipantsByEvent`: `mercato.orders/OrderPlaced`. */
export function eventKey(type: { source: string; detailType: string }): string {
  return `${type.source}/${type.detailType}`;
}

/**
 * The name of an event type's channel, message and schema in the document: its detail-type without
 * the spaces EventBridge-style names have (`Marketplace Order Accepted`), since AsyncAPI keys
 * allow only letters, digits, `.`, `_` and `-`.
 */
export function messageId(type: { detailType: string }): string {
  return type.detailType.replace(/[^A-Za-z0-9._-]/g, "");
}

/** The service an event's source names: `mercato.orders` is sent by `orders`. */
export function senderOf(type: { source: string }): string {
  return type.source.replace(/^mercato\./, "");
}

/**
 * The AsyncAPI 3 document of the event catalog: one channel and one message per event type (source
 * + detail-type), its payload the EventBridge envelope with `source` and `detail-type` fixed and
 * `detail` the type's JSON Schema (from its zod schema); a `send` operation for the service that
 * publishes it and a `receive` operation per subscribing service and queue, when `participants`
 * says who they are (else only the sender, named by the source).
 */
export function renderAsyncApi(
  types: EventType<unknown>[],
  options: { version: string; participants?: ParticipantsByEvent },
): Record<string, unknown> {
  const sorted = [...types].sort((a, b) => eventKey(a).localeCompare(eventKey(b)));
  const schemas: Record<string, JsonSchema> = {
    EventMetadata: jsonSchema(eventEnvelopeSchema.shape.metadata),
    EventEnvelope: envelopeSchema({ description: "The envelope every event travels in" }),
  };
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const type of sorted) {
    const name = messageId(type);
    if (messages[name]) throw new Error(`Two event types share the detail-type ${type.detailType}`);
    schemas[name] = { description: type.description, ...jsonSchema(type.schema) };
    messages[name] = {
      name,
      title: type.detailType,
      summary: type.description,
      contentType: "application/json",
      payload: envelopeSchema({
        source: { type: "string", const: type.source },
        "detail-type": { type: "string", const: type.detailType },
        detail: { $ref: `#/components/schemas/${name}` },
      }),
      "x-eventbridge-pattern": type.pattern,
    };
    channels[name] = {
      address: eventKey(type),
      title: type.detailType,
      description: `${type.description} Routed by the EventBridge pattern ${JSON.stringify(type.pattern)}.`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    const participants = options.participants?.[eventKey(type)];
    const sender = participants?.sender ?? senderOf(type);
    const channel = { $ref: `#/channels/${name}` };
    const message = [{ $ref: `#/channels/${name}/messages/${name}` }];
    operations[`${sender}.send${name}`] = {
      action: "send",
      channel,
      messages: message,
      summary: `${sender} publishes ${type.detailType}`,
      tags: [{ name: sender }],
    };
    for (const receiver of participants?.receivers ?? []) {
      operations[`${receiver.service}.receive${name}`] = {
        action: "receive",
        channel,
        messages: message,
        summary: `${receiver.service} receives ${type.detailType} on its queue ${receiver.queue}`,
        tags: [{ name: receiver.service }],
        "x-queue": receiver.queue,
      };
    }
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Mercato events",
      version: options.version,
      description: [
        "Every event Mercato's services publish on the bus, generated from `packages/contracts`",
        "by `npm run events:catalog` (also docs/events.md). Events travel in the EventBridge envelope;",
        "`detail` is validated against the message's schema when published and when consumed.",
        "Delivery is at least once through SQS-like queues, one per subscription",
        "(docs/event-backbone.md); a channel is one event type, its address `source/detail-type`.",
      ].join(" "),
    },
    defaultContentType: "application/json",
    channels,
    operations,
    components: { schemas, messages },
  };
}

/** The envelope's JSON Schema, with `overrides` in place of some of its properties. */
function envelopeSchema(overrides: Record<string, unknown>): JsonSchema {
  const { description, ...properties } = overrides;
  const base = jsonSchema(eventEnvelopeSchema);
  return {
    ...(typeof description === "string" ? { description } : {}),
    ...base,
    properties: {
      ...(base.properties as JsonSchema),
      metadata: { $ref: "#/components/schemas/EventMetadata" },
      ...properties,
    },
  };
}

/**
 * A zod schema as a draft-07 JSON Schema (what AsyncAPI's default schema format extends), as
 * accepted on input. Schemas that carry an id in zod's global registry (the OpenAPI document names
 * some, such as Money, when the routes load) are inlined again, so the document is the same
 * whichever modules the process has loaded.
 */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const generated = z.toJSONSchema(schema, { io: "input", target: "draft-7" }) as JsonSchema;
  const { $schema: _, definitions = {}, ...rest } = generated;
  return inlineDefinitions(rest, definitions as Record<string, JsonSchema>) as JsonSchema;
}

function inlineDefinitions(value: unknown, definitions: Record<string, JsonSchema>): unknown {
  if (Array.isArray(value)) return value.map((item) => inlineDefinitions(item, definitions));
  if (value === null || typeof value !== "object") return value;
  const { $ref, ...rest } = value as JsonSchema;
  const inlined = Object.fromEntries(
    Object.entries(rest).map(([key, item]) => [key, inlineDefinitions(item, definitions)]),
  );
  if (typeof $ref !== "string") return $ref === undefined ? inlined : { $ref, ...inlined };
  const name = $ref.startsWith("#/definitions/") ? $ref.slice("#/definitions/".length) : undefined;
  const definition = name === undefined ? undefined : definitions[name];
  if (!definition) throw new Error(`Cannot inline the JSON Schema reference ${$ref}`);
  return { ...(inlineDefinitions(definition, definitions) as JsonSchema), ...inlined };
}
