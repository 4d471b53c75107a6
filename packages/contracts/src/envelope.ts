/**
 * The event envelope: EventBridge's fields, plus tracing metadata that EventBridge would carry in
 * `detail` or message attributes. Kept apart from `detail` so that business schemas stay clean.
 */
export interface EventMetadata {
  traceparent?: string;
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
