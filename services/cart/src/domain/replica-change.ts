import type { EventEnvelope, Money } from "@mercato/contracts";

/**
 * Orders changes to one product: the event's time, then its id (UUIDv7, so later ids sort after
 * earlier ones from the same publisher) to break ties within a millisecond.
 */
export interface ReplicaVersion {
  time: Date;
  eventId: string;
}

/** What one catalog event tells the replica about one product. */
export interface ReplicaChange {
  productId: string;
  version: ReplicaVersion;
  fields?: { sku: string; name: string };
  price?: Money;
  deleted?: true;
}

export function versionOf(event: EventEnvelope): ReplicaVersion {
  return { time: new Date(event.time), eventId: event.id };
}
