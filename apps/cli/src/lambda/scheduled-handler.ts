import type { Context } from "aws-lambda";
import { containerHost, type LambdaHost } from "./lambda-host.ts";
import { drainDeadline, drainOutboxes } from "./outbox-drain.ts";

type ScheduledHandler = (event: unknown, context: Context) => Promise<void>;

/**
 * What a server does on its timers, for functions that have none: invoked on a schedule (an
 * EventBridge rule, `rate(1 minute)`), it runs every periodic task of the function's services once
 * (reservation expiry, payment timeouts, mail delivery, pruning of inboxes and logs) and then
 * publishes every outbox, which also sends what an invocation that died after its commit left
 * behind. A task is thus late by up to the schedule's period, and each runs at every tick whatever
 * its own interval (the pruning ones find little to do). The event's content is not read.
 */
export function scheduledHandlerOf(lambdaHost: () => Promise<LambdaHost>): ScheduledHandler {
  return async (_event, context) => {
    const { host } = await lambdaHost();
    await Promise.all(host.services.map((service) => service.runTasksOnce()));
    await drainOutboxes(host, drainDeadline(context));
  };
}

/** The handler a function's configuration names: `scheduled-handler.handler`. */
export const handler: ScheduledHandler = scheduledHandlerOf(containerHost);
