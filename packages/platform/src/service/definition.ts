import type { EventEnvelope, EventType } from "@mercato/contracts";
import type { FastifyInstance } from "fastify";
import type { Kysely, Transaction } from "kysely";
import type { Delivery, EventPattern, QueueConfig } from "../bus/transport.ts";
import type { PlatformConfig } from "../config.ts";
import type { ServiceDatabase } from "../db/databases.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";

/** What a service gets from the host, whatever the topology. */
export interface ServiceContext<DB> {
  name: string;
  config: PlatformConfig;
  logger: Logger;
  database: ServiceDatabase<DB>;
  db: Kysely<DB>;
  /** Writes events to the outbox within `transaction`; they are published once it commits. */
  publish(transaction: Transaction<DB>, events: EventEnvelope[]): Promise<void>;
  /** The host's registry, for the service's own metrics. */
  metrics: Metrics;
  /**
   * The base URL this host listens on, for calls to a service that runs in the same process when
   * no other address is configured. Throws until the host listens (after onStart).
   */
  hostUrl(): string;
}

/** What a subscription's handler gets for one event. */
export interface HandlerContext<DB> {
  /** Also records the event in the inbox: every write of the handler goes through it. */
  transaction: Transaction<DB>;
  delivery: Delivery;
  logger: Logger;
  /** Writes follow-up events to the outbox in the handler's transaction, caused by this event. */
  publish(events: EventEnvelope[]): Promise<void>;
}

export type QueueSettings = Partial<Omit<QueueConfig, "name">> & {
  /** Handlers running at once in this process. */
  concurrency?: number;
};

/**
 * A rule and its queue: the events the service wants, and what to do with each. The handler runs
 * at most once per event (inbox), in a transaction, with the event's detail already validated.
 */
export interface SubscriptionDefinition<DB> {
  /** Names the rule and the queue: `<service>-<name>`. */
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: a subscription takes event types of any detail.
  events: EventType<any>[];
  /** Defaults to matching exactly the listed event types. */
  eventPattern?: EventPattern;
  queue?: QueueSettings;
  // biome-ignore lint/suspicious/noExplicitAny: narrowed by the handler with EventType.is.
  handle(event: EventEnvelope<any>, context: HandlerContext<DB>): Promise<void>;
}

/** One service: everything the host needs to run it in any topology (architecture.md, principle 4). */
export interface ServiceDefinition<DB = unknown> {
  /** Lowercase; names the schema, the database `mercato_<name>` and the `mercato.<name>` source. */
  name: string;
  /** Folder of forward-only `*.sql` migrations; absent for a service that owns no tables. */
  migrations?: URL;
  routes?(app: FastifyInstance, context: ServiceContext<DB>): void | Promise<void>;
  subscriptions?: SubscriptionDefinition<DB>[];
  /** Runs after migrations and before the service takes traffic (seed data, caches). */
  onStart?(context: ServiceContext<DB>): Promise<void>;
  /** Runs when the host stops, after consumers stopped and before the database closes. */
  onStop?(context: ServiceContext<DB>): Promise<void>;
}

/** Identity function that gives a definition its database type. */
export function defineService<DB>(definition: ServiceDefinition<DB>): ServiceDefinition<DB> {
  return definition;
}
