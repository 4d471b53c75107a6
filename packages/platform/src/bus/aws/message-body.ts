import { randomUUID } from "node:crypto";
import { type EventEnvelope, type EventMetadata, eventEnvelopeSchema } from "@mercato/contracts";

/**
 * The key inside `detail` that carries what EventBridge would not keep: Mercato's event id (which
 * idempotent consumers rely on; EventBridge assigns its own), the exact time (EventBridge keeps
 * seconds), the publisher's account and region, and the metadata. Patterns match fields they name,
 * so this extra key changes no match unless a pattern names it; it is removed again on decode.
 */
export const ENVELOPE_KEY = "mercato:envelope";

/** EventBridge refuses an entry larger than this (its own way of counting, see `putEventsEntrySize`). */
export const MAX_ENTRY_BYTES = 256 * 1024;

interface CarriedFields {
  id: string;
  time: string;
  account: string;
  region: string;
  metadata: EventMetadata;
}

/** A PutEvents request entry (the SDK's `PutEventsRequestEntry`, with the fields Mercato sets). */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Resources: string[];
  Time: Date;
  EventBusName: string;
}

/** The body EventBridge puts on an SQS queue for a matched event. */
export interface DeliveredEvent {
  version: "0";
  /** EventBridge's own id, not Mercato's. */
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  /** To the second, as EventBridge writes it. */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

function detailWithEnvelope(envelope: EventEnvelope): Record<string, unknown> {
  const { detail } = envelope;
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) {
    throw new Error(
      `Event ${envelope.id} (${envelope["detail-type"]}) cannot travel on EventBridge: its detail must be a JSON object`,
    );
  }
  if (Object.hasOwn(detail, ENVELOPE_KEY)) {
    throw new Error(
      `Event ${envelope.id} (${envelope["detail-type"]}) uses the reserved detail key "${ENVELOPE_KEY}"`,
    );
  }
  const carried: CarriedFields = {
    id: envelope.id,
    time: envelope.time,
    account: envelope.account,
    region: envelope.region,
    metadata: envelope.metadata,
  };
  return { ...detail, [ENVELOPE_KEY]: carried };
}

/** The PutEvents entry that publishes an envelope on the bus. */
export function putEventsEntryOf(envelope: EventEnvelope, busName: string): PutEventsEntry {
  return {
    Source: envelope.source,
    DetailType: envelope["detail-type"],
    Detail: JSON.stringify(detailWithEnvelope(envelope)),
    Resources: envelope.resources,
    Time: new Date(envelope.time),
    EventBusName: busName,
  };
}

/**
 * An entry's size as EventBridge counts it against `MAX_ENTRY_BYTES`: the UTF-8 bytes of Source,
 * DetailType, Detail and each resource, plus 14 for Time.
 */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  const bytes = (text: string) => Buffer.byteLength(text, "utf8");
  return (
    14 +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    entry.Resources.reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

/**
 * The event EventBridge delivers for an envelope (the SQS body, once serialised): rules match it,
 * and the FIFO path sends it to SQS itself in this shape, so consumers see one format.
 */
export function deliveredEventOf(
  envelope: EventEnvelope,
  bus: { account: string; region: string },
): DeliveredEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": envelope["detail-type"],
    source: envelope.source,
    account: bus.account,
    time: `${new Date(envelope.time).toISOString().slice(0, 19)}Z`,
    region: bus.region,
    resources: envelope.resources,
    detail: detailWithEnvelope(envelope),
  };
}

/** The Mercato envelope in an SQS message body written by EventBridge or by `deliveredEventOf`. */
export function envelopeOfSqsBody(body: string): EventEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`SQS message body is not JSON: ${preview(body)}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`SQS message body is not an EventBridge event: ${preview(body)}`);
  }
  const delivered = parsed as Partial<DeliveredEvent>;
  const detail = delivered.detail;
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) {
    throw new Error(`SQS message body has no EventBridge detail object: ${preview(body)}`);
  }
  const carried = detail[ENVELOPE_KEY];
  if (carried === null || typeof carried !== "object" || Array.isArray(carried)) {
    throw new Error(
      `SQS message body is not a Mercato event (no "${ENVELOPE_KEY}" in detail): ${preview(body)}`,
    );
  }
  const { [ENVELOPE_KEY]: _, ...businessDetail } = detail;
  const fields = carried as Partial<CarriedFields>;
  const result = eventEnvelopeSchema.safeParse({
    version: delivered.version,
    id: fields.id,
    "detail-type": delivered["detail-type"],
    source: delivered.source,
    account: fields.account,
    time: fields.time,
    region: fields.region,
    resources: delivered.resources,
    detail: businessDetail,
    metadata: fields.metadata,
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `SQS message body is not a valid Mercato event: ${issue?.path.join(".") || "envelope"} ${issue?.message ?? ""}`.trim(),
    );
  }
  return result.data as EventEnvelope;
}

function preview(body: string): string {
  return body.length > 120 ? `${body.slice(0, 120)}…` : body;
}
