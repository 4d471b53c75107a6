import { v7 as uuidv7 } from "uuid";
import type { z } from "zod";
import type { EventEnvelope, EventMetadata } from "./envelope.ts";

/** Where an event comes from and what caused it; carried into the envelope's metadata. */
export interface EventContext {
  correlationId: string;
  causationId?: string;
  traceparent?: string;
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

export interface EventType<Detail> {
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
  const name = `${source}/${detailType}`;
  const validate = (detail: unknown): z.infer<Schema> => {
    const parsed = schema.safeParse(detail);
    if (!parsed.success) {
      throw new EventValidationError(
        name,
        parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
      );
    }
    return parsed.data;
  };
  return {
    source,
    detailType,
    description,
    schema: schema as z.ZodType<z.infer<Schema>>,
    create(detail, context) {
      const metadata: EventMetadata = { "correlation-id": context.correlationId };
      if (context.causationId) metadata["causation-id"] = context.causationId;
      if (context.traceparent) metadata.traceparent = context.traceparent;
      return {
        version: "0",
        id: uuidv7(),
        "detail-type": detailType,
        source,
        account: "mercato",
        time: new Date().toISOString(),
        region: "local",
        resources: context.resources ?? [],
        detail: validate(detail),
        metadata,
      };
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

/** The context for an event caused by `event`: same correlation, causation = that event. */
export function causedBy(event: EventEnvelope): EventContext {
  const context: EventContext = { correlationId: event.metadata["correlation-id"], causationId: event.id };
  if (event.metadata.traceparent) context.traceparent = event.metadata.traceparent;
  return context;
}
