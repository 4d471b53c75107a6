import type { z } from "zod";
import type { EventEnvelope } from "./envelope.ts";
import { detailValidator, type EventContext, type HandledEventType, newEnvelope } from "./event-type.ts";

/**
 * An event type that other systems publish into Mercato (through `POST /api/events` or
 * `/aws/events`): one detail-type under any source that starts with one of `sourcePrefixes`
 * (`marketplace.amazon`, `seller.acme`), since each sender names itself. Mercato never publishes
 * these; it handles them with `on(type, handler)` like its own, the detail validated first.
 */
export interface ExternalEventType<Detail> extends HandledEventType<Detail> {
  sourcePrefixes: readonly string[];
  pattern: { source: { prefix: string }[]; "detail-type": [string] };
  /** True when `source` is one this type may come from. */
  acceptsSource(source: string): boolean;
  /** Builds an envelope as ingestion would (tests, tools); throws when the source or detail is wrong. */
  create(detail: Detail, context: EventContext & { source: string }): EventEnvelope<Detail>;
}

export function defineExternalEvent<Schema extends z.ZodType>(declaration: {
  sourcePrefixes: readonly [string, ...string[]];
  detailType: string;
  description: string;
  detail: Schema;
}): ExternalEventType<z.infer<Schema>> {
  const { sourcePrefixes, detailType, description, detail: schema } = declaration;
  const validate = detailValidator(
    `${sourcePrefixes.map((prefix) => `${prefix}*`).join("|")}/${detailType}`,
    schema,
  );
  const acceptsSource = (source: string) => sourcePrefixes.some((prefix) => source.startsWith(prefix));
  return {
    sourcePrefixes,
    detailType,
    description,
    schema: schema as z.ZodType<z.infer<Schema>>,
    acceptsSource,
    create(detail, context) {
      if (!acceptsSource(context.source)) {
        throw new Error(
          `${detailType} comes from sources starting ${sourcePrefixes.join(" or ")}, not ${context.source}`,
        );
      }
      return newEnvelope({ source: context.source, detailType, detail: validate(detail) }, context);
    },
    parse(envelope) {
      return { ...envelope, detail: validate(envelope.detail) };
    },
    is(envelope): envelope is EventEnvelope<z.infer<Schema>> {
      return envelope["detail-type"] === detailType && acceptsSource(envelope.source);
    },
    pattern: { source: sourcePrefixes.map((prefix) => ({ prefix })), "detail-type": [detailType] },
  };
}
