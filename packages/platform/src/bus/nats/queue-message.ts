import type { EventEnvelope } from "@mercato/contracts";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { groupIdOf } from "../group-id.ts";
import type { QueueConfig } from "../transport.ts";
import { type NatsNames, partitionOf } from "./names.ts";

/** Carries a FIFO message's group, so consumers need not re-read the queue config to know it. */
export const GROUP_HEADER = "Mercato-Group";

/**
 * Stores one event in a queue's stream: a FIFO queue's on its group's partition subject. `msgId`
 * feeds JetStream's duplicate window, so the same id published twice within it is stored once.
 */
export function publishToQueue(
  js: JetStreamClient,
  names: NatsNames,
  config: QueueConfig,
  event: EventEnvelope,
  data: Uint8Array,
  msgId: string,
): Promise<PubAck> {
  if (!config.fifo) return js.publish(names.queueSubject(config.name), data, { msgID: msgId });
  const groupId = groupIdOf(event, config.fifo.groupBy);
  const subject = names.queueSubject(config.name, partitionOf(groupId ?? ""));
  if (groupId === undefined) return js.publish(subject, data, { msgID: msgId });
  const h = headers();
  h.set(GROUP_HEADER, groupId);
  return js.publish(subject, data, { msgID: msgId, headers: h });
}
