import type { EventEnvelope } from "@mercato/contracts";
import type { Handler } from "../bus/transport.ts";
import type { Logger } from "../log.ts";
import type { HandlerContext, SubscriptionDefinition } from "./definition.ts";
import type { ServiceMetrics } from "./service-metrics.ts";

type Dispatch<DB, Settings, Resources> = (
  event: EventEnvelope,
  context: HandlerContext<DB, Settings, Resources>,
) => Promise<void>;

/**
 * How a subscription's events reach its code: by type to the `on` entries, with the detail
 * validated (an event none handles fails, so that it is retried and dead-lettered rather than
 * acknowledged unhandled), or every event to a pattern subscription's `handle`.
 */
export function dispatcherOf<DB, Settings, Resources>(
  subscription: SubscriptionDefinition<DB, Settings, Resources>,
  queue: string,
): Dispatch<DB, Settings, Resources> {
  if (!subscription.handlers) return (event, context) => subscription.handle(event, context);
  const handlers = subscription.handlers;
  return async (event, context) => {
    const entry = handlers.find((candidate) => candidate.type.is(event));
    if (!entry) {
      throw new Error(
        `${queue} has no handler for ${event.source} ${event["detail-type"]} (event ${event.id})`,
      );
    }
    await entry.handle(entry.type.parse(event), context);
  };
}

/** The rule of a subscription: its pattern, or one that matches exactly the types it handles. */
export function eventPatternOf<DB, Settings, Resources>(
  subscription: SubscriptionDefinition<DB, Settings, Resources>,
) {
  if (subscription.eventPattern) return subscription.eventPattern;
  const types = subscription.handlers?.map((entry) => entry.type) ?? [];
  const patterns = types.map((type) => type.pattern);
  if (patterns.length === 0) {
    throw new Error(`Subscription ${subscription.name} lists no events and has no eventPattern`);
  }
  return patterns.length === 1 ? { ...patterns[0] } : { $or: patterns };
}

/** `handler`, timed by outcome in handler_duration_seconds, its failures logged. */
export function instrumented(
  handler: Handler,
  options: { queue: string; logger: Logger; duration: ServiceMetrics["handlerDuration"] },
): Handler {
  const { queue, logger, duration } = options;
  return async (delivery) => {
    const stopTimer = duration.startTimer({ queue });
    try {
      await handler(delivery);
      stopTimer({ outcome: "ok" });
    } catch (error) {
      stopTimer({ outcome: "failed" });
      logger.warn(
        { err: error, eventId: delivery.event.id, receiveCount: delivery.receiveCount },
        "handler failed",
      );
      throw error;
    }
  };
}
