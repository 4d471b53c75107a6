import { compilePattern, InvalidPatternError } from "../bus/patterns/index.ts";
import { validateQueueConfig } from "../bus/queue-config.ts";
import type { QueueConfig, Rule } from "../bus/transport.ts";
import type { ServiceDefinition, SubscriptionDefinition } from "./definition.ts";
import { eventPatternOf } from "./event-dispatch.ts";

export const queueDefaults: Omit<QueueConfig, "name"> = {
  visibilityTimeoutMs: 30_000,
  maxReceiveCount: 5,
  backoff: { baseMs: 200, maxMs: 30_000 },
};

/** A subscription's queue and rule: the queue the host declares and the rule that feeds it. */
export interface DeclaredQueue {
  queue: QueueConfig;
  rule: Rule;
}

/** The name of a subscription's queue and of its rule: `<service>-<subscription>`. */
export function queueNameOf(service: string, subscription: { name: string }): string {
  return `${service}-${subscription.name}`;
}

/**
 * The queues and rules a service's subscriptions declare, exactly as the host declares them when
 * the service starts; deployment tools (deploy/aws) read them from here rather than keeping a
 * copy. Throws when two subscriptions share a name, a queue setting is invalid or a pattern is not
 * one EventBridge would take. Runtime queues (RuntimeQueues) are not among them.
 */
export function declaredQueues<DB, Settings, Resources>(
  definition: ServiceDefinition<DB, Settings, Resources>,
): DeclaredQueue[] {
  const seen = new Set<string>();
  return (definition.subscriptions ?? []).map((subscription) => {
    const name = queueNameOf(definition.name, subscription);
    if (seen.has(name)) {
      throw new Error(`Service ${definition.name} has two subscriptions named "${subscription.name}"`);
    }
    seen.add(name);
    return { queue: queueConfigOf(name, subscription), rule: ruleOf(name, subscription) };
  });
}

function queueConfigOf<DB, Settings, Resources>(
  name: string,
  subscription: SubscriptionDefinition<DB, Settings, Resources>,
): QueueConfig {
  const { concurrency: _concurrency, ...settings } = subscription.queue ?? {};
  return validateQueueConfig({ ...queueDefaults, ...settings, name });
}

function ruleOf<DB, Settings, Resources>(
  name: string,
  subscription: SubscriptionDefinition<DB, Settings, Resources>,
): Rule {
  const eventPattern = eventPatternOf(subscription);
  try {
    compilePattern(eventPattern);
  } catch (error) {
    if (error instanceof InvalidPatternError) {
      throw new InvalidPatternError(error.path, `${error.reason} (the rule of ${name})`);
    }
    throw error;
  }
  return { name, eventPattern, queue: name };
}
