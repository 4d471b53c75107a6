import { type EventEnvelope, newEnvelope } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import type { AcceptedEntry } from "../domain/put-events.ts";
import type { EventsTables } from "./tables.ts";

/**
 * Publishes accepted PutEvents entries through the outbox, each as an envelope with its own source
 * and detail-type (routed by the rules like any event), under the request's correlation id.
 * Answers the envelopes' ids, in entry order.
 */
export async function publishEntries(
  writer: UnitOfWork<EventsTables>,
  entries: readonly AcceptedEntry[],
  context: { correlationId: string },
): Promise<string[]> {
  const envelopes: EventEnvelope[] = entries.map((entry) =>
    newEnvelope(
      {
        source: entry.source,
        detailType: entry.detailType,
        detail: entry.detail,
        ...(entry.time ? { time: entry.time } : {}),
      },
      { correlationId: context.correlationId, resources: entry.resources },
    ),
  );
  await writer.publish(envelopes);
  return envelopes.map((envelope) => envelope.id);
}
