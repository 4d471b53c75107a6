import { v7 as uuidv7 } from "uuid";
import type { z } from "zod";
import type { EventEnvelope, EventMetadata } from "./envelope.ts";

/** Where an event comes from and what caused it; carried into the envelope's metadata. */
export interface EventContext {
  correlationId: string;
  causationId?: string;
  traceparent?: string;
  tracestate?: string;
  /** ARNs or ids of the resources the event is about. */
  resources?: string[];
}

export class EventValidationError extends Error {
  override name = "EventValidationError";
  constructor(
    readonly eventType: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(
      `${eventType} detail is invalid: ${problems.map((p) => `${p.path || "(root)"}: ${p.message}`).join("; ")}`,
    );
  }
}

/**
 * What a subscription can handle with `on(type, handler)`: a type Mercato declares (EventType) or
 * one it receives from other systems (ExternalEventType). `pattern` is the EventBridge pattern of
 * exactly its envelopes; `is` tells them apart the same way.
 */
export interface HandledEventType<Detail> {
  detailType: string;
  description: string;
  schema: z.ZodType<Detail>;
  parse(envelope: EventEnvelope): EventEnvelope<Detail>;
  is(envelope: EventEnvelope): envelope is EventEnvelope<Detail>;
  pattern: { source: (string | { prefix: string })[]; "detail-type": [string] };
}

export interface EventType<Detail> extends HandledEventType<Detail> {
  source: string;
  detailType: string;
  description: string;
  schema: z.ZodType<Detail>;
  /** Builds a new envelope; throws EventValidationError when `detail` breaks the schema. */
  create(detail: Detail, context: EventContext): EventEnvelope<Detail>;
  /** Validates a received envelope's detail against the schema. */
  parse(envelope: EventEnvelope): EventEnvelope<Detail>;
  /**
   * True when the envelope is of this type (same source and detail-type). A guard only: in a
   * subscription handler the host has already validated the detail against the schema.
   */
  is(envelope: EventEnvelope): envelope is EventEnvelope<Detail>;
  /** An EventBridge pattern that matches exactly this type. */
  pattern: { source: [string]; "detail-type": [string] };
}

/** Declares an event: `[Resource][PastTenseVerb]` from `mercato.<service>` with a schema for detail. */
export function defineEvent<Schema extends z.ZodType>(declaration: {
  source: `mercato.${string}`;
  detailType: string;
  description: string;
  detail: Schema;
}): EventType<z.infer<Schema>> {
  const { source, detailType, description, detail: schema } = declaration;
  const validate = detailValidator(`${source}/${detailType}`, schema);
  return {
    source,
    detailType,
    description,
    schema: schema as z.ZodType<z.infer<Schema>>,
    create(detail, context) {
      return newEnvelope({ source, detailType, detail: validate(detail) }, context);
    },
    parse(envelope) {
      return { ...envelope, detail: validate(envelope.detail) };
    },
    is(envelope): envelope is EventEnvelope<z.infer<Schema>> {
      return envelope.source === source && envelope["detail-type"] === detailType;
    },
    pattern: { source: [source], "detail-type": [detailType] },
  };
}

/**
 * A new envelope (UUIDv7 id) around a detail already validated: `source` and `detail-type` as
 * given, `time` now unless given, the context's correlation, causation, trace and resources.
 */
export function newEnvelope<Detail>(
  event: { source: string; detailType: string; detail: Detail; time?: Date },
  context: EventContext,
): EventEnvelope<Detail> {
  const metadata: EventMetadata = { "correlation-id": context.correlationId };
  if (context.causationId) metadata["causation-id"] = context.causationId;
  if (context.traceparent) metadata.traceparent = context.traceparent;
  if (context.tracestate) metadata.tracestate = context.tracestate;
  return {
    version: "0",
    id: uuidv7(),
    "detail-type": event.detailType,
    source: event.source,
    account: "mercato",
    time: (event.time ?? new Date()).toISOString(),
    region: "local",
    resources: context.resources ?? [],
    detail: event.detail,
    metadata,
  };
}

/** Checks a detail against `schema`; throws EventValidationError naming each bad field. */
export function detailValidator<Schema extends z.ZodType>(
  name: string,
  schema: Schema,
): (detail: unknown) => z.infer<Schema> {
  return (detail) => {
    const parsed = schema.safeParse(detail);
    if (!parsed.success) {
      throw new EventValidationError(
        name,
        parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
      );
    }
    return parsed.data;
  };
}

/** The context for an event caused by `event`: same correlation, causation = that event. */
export function causedBy(event: EventEnvelope): EventContext {
  const context: EventContext = { correlationId: event.metadata["correlation-id"], causationId: event.id };
  if (event.metadata.traceparent) context.traceparent = event.metadata.traceparent;
  if (event.metadata.tracestate) context.tracestate = event.metadata.tracestate;
  return context;
}
