import { type DeclaredQueue, declaredQueues, type EventPattern } from "@mercato/platform";
import { serviceCatalog } from "../../../apps/cli/src/services.ts";
import { awsQueueNames, awsRuleName } from "../../../packages/platform/src/bus/aws/names.ts";
import { routedServices } from "../../../services/gateway/src/domain/routes-table.ts";

/** One declared queue with the names the aws transport gives it on SQS and EventBridge. */
export interface PlannedQueue extends DeclaredQueue {
  sqsName: string;
  dlqName: string;
  ruleName: string;
  /**
   * The services whose events the rule can match, which the transport's publisher sends to the
   * queue directly when it is FIFO (see ServiceQueue).
   */
  publishers: string[];
}

/** What the deployment needs to know of one service. */
export interface ServicePlan {
  name: string;
  /** The queues and rules of its subscriptions, from the definition the host runs. */
  queues: PlannedQueue[];
  /** Declares `secrets: ["sealedBox"]`: gets MERCATO_SECRET_KEY. */
  sealsTokens: boolean;
  /** Keeps blobs (BLOB_URL): gets the media bucket. */
  usesBlobs: boolean;
  /** Makes queues and rules while it runs (RuntimeQueues), which no template can list. */
  makesRuntimeQueues: boolean;
  /** The gateway forwards some paths to it (MERCATO_SERVICE_URLS). */
  routed: boolean;
}

/**
 * Services that open the blob store and services that make runtime queues: neither shows in a
 * definition, so they are named here, and tests/deploy/aws-cdk.test.ts holds the lists to the
 * services' sources.
 */
export const blobServices: readonly string[] = ["catalog"];
export const runtimeQueueServices: readonly string[] = ["webhooks"];

/** Every service of the catalog with its queues named as the aws transport names them. */
export function servicePlans(prefix: string): ServicePlan[] {
  const routed = new Set<string>(routedServices);
  const services = serviceCatalog.map((entry) => entry.name);
  return serviceCatalog.map((entry) => {
    const definition = entry.create();
    return {
      name: definition.name,
      queues: declaredQueues(definition).map((declared) => {
        const names = awsQueueNames(prefix, declared.queue.name, declared.queue.fifo !== undefined);
        return {
          ...declared,
          sqsName: names.queue,
          dlqName: names.dlq,
          ruleName: awsRuleName(prefix, declared.rule.name),
          publishers: publishersOf(declared.rule.eventPattern, services),
        };
      }),
      sealsTokens: definition.secrets?.includes("sealedBox") ?? false,
      usesBlobs: blobServices.includes(definition.name),
      makesRuntimeQueues: runtimeQueueServices.includes(definition.name),
      routed: routed.has(definition.name),
    };
  });
}

/**
 * Who publishes what a pattern matches: a service publishes its events as `mercato.<service>`, so a
 * pattern whose every branch lists exact sources of services is published to by those services
 * alone; any other pattern (no source, a prefix, a source from outside) by every service.
 */
export function publishersOf(pattern: EventPattern, services: string[]): string[] {
  const branches = Array.isArray(pattern.$or) ? (pattern.$or as EventPattern[]) : [pattern];
  const publishers = new Set<string>();
  for (const branch of branches) {
    const sources = branch.source;
    if (!Array.isArray(sources)) return services;
    for (const source of sources) {
      const service =
        typeof source === "string" && source.startsWith("mercato.") ? source.slice(8) : undefined;
      if (service === undefined || !services.includes(service)) return services;
      publishers.add(service);
    }
  }
  return services.filter((service) => publishers.has(service));
}
