import { testEventPattern } from "@mercato/platform/patterns";
import { eventKey, type ParticipantsByEvent, senderOf } from "../src/asyncapi.ts";
import type { EventType, HandledEventType } from "../src/event-type.ts";

/** What the generator reads of a service definition: its name and its subscriptions' events. */
export interface SubscribingService {
  name: string;
  subscriptions?: {
    name: string;
    handlers?: { type: HandledEventType<unknown> }[];
    events?: EventType<unknown>[];
    eventPattern?: unknown;
  }[];
}

/**
 * Who sends and who receives each event type: the sender is the service its source names; a
 * receiver is a service with a subscription whose pattern, or the pattern of a type it handles or
 * lists, matches an event of that source and detail-type. Queues are named `<service>-<subscription>`.
 */
export function participantsOf(
  types: EventType<unknown>[],
  services: SubscribingService[],
): ParticipantsByEvent {
  const participants: ParticipantsByEvent = {};
  const sorted = [...types].sort((a, b) => eventKey(a).localeCompare(eventKey(b)));
  for (const type of sorted) {
    // An envelope as defineEvent makes it, for patterns on envelope fields; `detail` is empty, so a
    // pattern on detail fields does not count as receiving the type.
    const sample = {
      version: "0",
      id: "sample",
      "detail-type": type.detailType,
      source: type.source,
      account: "mercato",
      time: new Date(0).toISOString(),
      region: "local",
      resources: [],
      detail: {},
      metadata: { "correlation-id": "sample" },
    };
    const receivers: { service: string; queue: string }[] = [];
    for (const service of services) {
      for (const subscription of service.subscriptions ?? []) {
        const listed = subscription.handlers?.map((handler) => handler.type) ?? subscription.events ?? [];
        const patterns =
          subscription.eventPattern === undefined
            ? listed.map((listedType) => listedType.pattern)
            : [subscription.eventPattern];
        const receives = patterns.some((pattern) => testEventPattern(pattern, sample));
        if (receives)
          receivers.push({ service: service.name, queue: `${service.name}-${subscription.name}` });
      }
    }
    receivers.sort((a, b) => a.queue.localeCompare(b.queue));
    participants[eventKey(type)] = { sender: senderOf(type), receivers };
  }
  return participants;
}
