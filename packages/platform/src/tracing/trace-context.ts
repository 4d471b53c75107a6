import type { EventEnvelope, EventMetadata } from "@mercato/contracts";
import {
  type Attributes,
  context,
  type Link,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { Delivery } from "../bus/transport.ts";

/**
 * Tracing as the rest of the platform sees it: only `@opentelemetry/api`, so that a process that
 * never starts the SDK (tracing.ts; OTEL_EXPORTER_OTLP_ENDPOINT unset) loads nothing more and
 * pays one boolean test per event. The SDK, once started, makes the API's calls record.
 *
 * The messaging.* attribute names are still incubating in @opentelemetry/semantic-conventions
 * (whose guidance is to copy incubating names rather than import them), so they are spelt here.
 */

const tracer = trace.getTracer("@mercato/platform");

const state: { active: boolean; shutdown: () => Promise<void> } = {
  active: false,
  shutdown: async () => undefined,
};

/** Called by startTracing once the SDK runs; `shutdown` exports what is still buffered. */
export function tracingStarted(shutdown: () => Promise<void>): void {
  state.active = true;
  state.shutdown = shutdown;
}

/** True when the SDK runs in this process. */
export function tracingActive(): boolean {
  return state.active;
}

/** Exports the spans still buffered and stops the SDK; nothing when tracing never started. */
export async function shutdownTracing(): Promise<void> {
  if (!state.active) return;
  state.active = false;
  await state.shutdown();
}

/** The bus as messaging.system: Mercato's own EventBridge-style bus, embedded or on NATS. */
const messagingSystem = "mercato";

interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/**
 * Runs `write` (the outbox insert) with one PRODUCER span per event, each event's metadata
 * carrying its span's W3C trace context; returns the events so stamped. The span is the message's
 * creation: the relay sends it later (relaySpan), and each consumer's span is its child.
 * Without tracing the events go through unchanged: a `traceparent` passed down with causedBy stays.
 */
export async function withPublishSpans<T>(
  events: EventEnvelope[],
  write: (stamped: EventEnvelope[]) => Promise<T>,
): Promise<T> {
  if (!state.active || events.length === 0) return write(events);
  const parent = context.active();
  const spans: Span[] = [];
  const stamped = events.map((event) => {
    const span = tracer.startSpan(
      `create ${event["detail-type"]}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          "messaging.system": messagingSystem,
          "messaging.operation.type": "create",
          "messaging.operation.name": "publish",
          "messaging.destination.name": event.source,
          "messaging.message.id": event.id,
          "messaging.message.conversation_id": event.metadata["correlation-id"],
          "mercato.event.detail_type": event["detail-type"],
        },
      },
      parent,
    );
    spans.push(span);
    const carrier: TraceCarrier = {};
    propagation.inject(trace.setSpan(parent, span), carrier);
    return { ...event, metadata: withTraceContext(event.metadata, carrier) };
  });
  try {
    return await write(stamped);
  } catch (error) {
    for (const span of spans) failed(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

function withTraceContext(metadata: EventMetadata, carrier: TraceCarrier): EventMetadata {
  const { traceparent: _traceparent, tracestate: _tracestate, ...rest } = metadata;
  const next: EventMetadata = { ...rest };
  if (carrier.traceparent) next.traceparent = carrier.traceparent;
  if (carrier.tracestate) next.tracestate = carrier.tracestate;
  return next;
}

/**
 * The relay's send of one batch to the bus: a span of its own trace (the batch mixes events of
 * many requests), linked to each event's creation span.
 */
export async function withRelaySpan<T>(events: EventEnvelope[], send: () => Promise<T>): Promise<T> {
  if (!state.active) return send();
  const links: Link[] = [];
  for (const event of events) {
    const linked = trace.getSpanContext(propagation.extract(context.active(), event.metadata));
    if (linked) links.push({ context: linked });
  }
  return tracer.startActiveSpan(
    "send mercato",
    {
      kind: SpanKind.CLIENT,
      root: true,
      links,
      attributes: {
        "messaging.system": messagingSystem,
        "messaging.operation.type": "send",
        "messaging.operation.name": "relay",
        "messaging.batch.message_count": events.length,
      },
    },
    (span) => ended(span, send),
  );
}

/**
 * Runs a consumer's handling of one delivery in a CONSUMER span whose parent is the context the
 * publisher put into the envelope (a fresh trace when it carries none).
 */
export function withConsumeSpan<T>(
  queue: string,
  delivery: Pick<Delivery, "messageId" | "receiveCount">,
  event: EventEnvelope,
  handle: () => Promise<T>,
): Promise<T> {
  if (!state.active) return handle();
  const parent = propagation.extract(context.active(), event.metadata);
  const attributes: Attributes = {
    "messaging.system": messagingSystem,
    "messaging.operation.type": "process",
    "messaging.operation.name": "process",
    "messaging.destination.name": queue,
    "messaging.consumer.group.name": queue,
    "messaging.message.id": delivery.messageId,
    "messaging.message.conversation_id": event.metadata["correlation-id"],
    "messaging.message.delivery_count": delivery.receiveCount,
    "mercato.event.id": event.id,
    "mercato.event.detail_type": event["detail-type"],
  };
  return tracer.startActiveSpan(`process ${queue}`, { kind: SpanKind.CONSUMER, attributes }, parent, (span) =>
    ended(span, handle),
  );
}

async function ended<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function failed(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** For pino's mixin: the active span's ids, so that log lines name their trace. */
export function traceFields(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  if (!state.active) return {};
  const span = trace.getSpanContext(context.active());
  if (!span) return {};
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    trace_flags: `0${span.traceFlags.toString(16)}`,
  };
}
