import {
  declaredQueues,
  type Handler,
  type Host,
  type QueueConfig,
  type RunningService,
} from "@mercato/platform";
import { awsQueueNames } from "@mercato/platform/aws/names";

export interface SubscriptionQueue {
  service: RunningService;
  /** The Mercato queue, as the service declares it. */
  queue: QueueConfig;
  /** What the service's consumer of the queue runs. */
  handler: Handler;
}

/**
 * The subscription queues of the host's services by their SQS names (as the aws transport and the
 * CDK app name them from MERCATO_BUS_PREFIX), to find the subscription an SQS record is for.
 */
export function subscriptionQueuesBySqsName(host: Host, prefix: string): Map<string, SubscriptionQueue> {
  const queues = new Map<string, SubscriptionQueue>();
  for (const service of host.services) {
    for (const { queue } of declaredQueues(service.definition)) {
      const handler = service.handlerOf(queue.name);
      if (!handler)
        throw new Error(`${service.definition.name} declares ${queue.name} but has no handler for it`);
      queues.set(awsQueueNames(prefix, queue.name, queue.fifo !== undefined).queue, {
        service,
        queue,
        handler,
      });
    }
  }
  return queues;
}
