import { z } from "zod";

/**
 * The event envelope: EventBridge's fields, plus tracing metadata that EventBridge would carry in
 * `detail` or message attributes. Kept apart from `detail` so that business schemas stay clean.
 */
export interface EventMetadata {
  /** W3C trace context of the span that published the event (its consumers' parent). */
  traceparent?: string;
  tracestate?: string;
  "correlation-id": string;
  "causation-id"?: string;
}

export interface EventEnvelope<Detail = unknown> {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
  metadata: EventMetadata;
}

/** The envelope's shape, checked on every event a consumer receives. */
export const eventEnvelopeSchema = z.object({
  version: z.literal("0"),
  id: z.string().min(1).max(128),
  "detail-type": z.string().min(1).max(128),
  source: z.string().min(1).max(256),
  account: z.string().max(64),
  time: z.iso.datetime({ offset: true }),
  region: z.string().max(64),
  resources: z.array(z.string().max(1600)).max(100),
  detail: z.unknown(),
  metadata: z.object({
    traceparent: z.string().max(128).optional(),
    // W3C asks that at least 512 characters of tracestate be passed on; longer ones may be cut.
    tracestate: z.string().max(512).optional(),
    "correlation-id": z.string().min(1).max(128),
    "causation-id": z.string().max(128).optional(),
  }),
});
