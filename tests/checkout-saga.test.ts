import { describe, expect, it } from "vitest";
import { selectServices } from "../apps/cli/src/services.ts";
import { checkoutSaga, participations } from "../services/orders/src/domain/checkout-saga.ts";

interface EventTypeName {
  source: string;
  detailType: string;
}

/** The event types a service's subscriptions take, whether listed (`events`) or handled (`handlers`). */
function subscribedTypes(service: { subscriptions?: unknown[] }): string[] {
  return (service.subscriptions ?? []).flatMap((subscription) => {
    const { events = [], handlers = [] } = subscription as {
      events?: EventTypeName[];
      handlers?: { type: EventTypeName }[];
    };
    return [...events, ...handlers.map((handler) => handler.type)].map(nameOf);
  });
}

const nameOf = (type: EventTypeName) => `${type.source}/${type.detailType}`;

describe("the checkout saga across services", () => {
  const roles = participations(checkoutSaga);

  it("names a compensation for inventory and for payments on both OrderRejected and OrderCancelled", () => {
    const compensations = roles.filter((role) => role.role.startsWith("compensation"));
    expect(compensations.map((role) => `${role.participant} ${role.event.detailType}`).sort()).toEqual([
      "inventory OrderCancelled",
      "inventory OrderRejected",
      "payments OrderCancelled",
      "payments OrderRejected",
    ]);
  });

  it.each(
    roles.map((role) => [role.participant, role.event.detailType, role.role, nameOf(role.event)] as const),
  )("%s subscribes to %s (%s)", (participant, _detailType, _role, eventName) => {
    const [service] = selectServices([participant]);
    if (!service) throw new Error(`No service ${participant}`);
    expect(subscribedTypes(service)).toContain(eventName);
  });
});
