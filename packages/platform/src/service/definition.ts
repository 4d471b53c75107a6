import type { EventEnvelope, HandledEventType } from "@mercato/contracts";
import type { FastifyInstance } from "fastify";
import type { Kysely, Transaction } from "kysely";
import type { z } from "zod";
import type { Delivery, EventPattern, QueueConfig } from "../bus/transport.ts";
import type { PlatformConfig } from "../config.ts";
import type { ServiceDatabase } from "../db/databases.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import type { SealedBox } from "../secrets/sealed-box.ts";

/** The envelope of one event type: `EventOf<typeof OrderPlaced>`. */
// biome-ignore lint/suspicious/noExplicitAny: matches an event type of any detail.
export type EventOf<T extends HandledEventType<any>> =
  T extends HandledEventType<infer Detail> ? EventEnvelope<Detail> : never;

/**
 * A transaction and the way to publish in it: events written with `publish` go to the outbox in
 * `transaction` and are published once it commits. Routes, handlers and tasks all get one from
 * `context.inTransaction`; a handler's is the inbox transaction of its event.
 */
export interface UnitOfWork<DB> {
  transaction: Transaction<DB>;
  publish(events: EventEnvelope[]): Promise<void>;
}

/** Runs `work` in a unit of work: a new transaction, or the handler's own inside a handler. */
export type InTransaction<DB> = <T>(work: (unit: UnitOfWork<DB>) => Promise<T>) => Promise<T>;

/** Secrets the host provides to the services that declare them (`secrets: ["sealedBox"]`). */
export interface ServiceSecrets {
  /** Seals payment tokens in events, with MERCATO_SECRET_KEY or the data directory's key. */
  sealedBox: SealedBox;
}

export type SecretName = keyof ServiceSecrets;

/** What a service gets from the host, whatever the topology. */
export interface ServiceContext<DB, Settings = unknown, Resources = unknown> {
  name: string;
  config: PlatformConfig;
  /** The service's settings, parsed by the host from the environment with its `settings` schema. */
  settings: Settings;
  /** What the service's `resources` made for this run (clients, caches); shared by routes, handlers and tasks. */
  resources: Resources;
  /** The secrets the service declared; reading one it did not declare throws. */
  secrets: ServiceSecrets;
  logger: Logger;
  database: ServiceDatabase<DB>;
  db: Kysely<DB>;
  /** The one way to write and publish: `context.inTransaction(async ({ transaction, publish }) => ...)`. */
  inTransaction: InTransaction<DB>;
  /** The host's registry, for the service's own metrics. */
  metrics: Metrics;
  /** Queues and rules the service makes while it runs, beside its subscriptions (RuntimeQueues below). */
  queues: RuntimeQueues<DB, Settings, Resources>;
  /**
   * The base URL this host listens on, for calls to a service that runs in the same process when
   * no other address is configured. Throws until the host listens (after onStart).
   */
  hostUrl(): string;
}

/**
 * What a subscription's handler gets for one event: a unit of work whose transaction also records
 * the event in the inbox (every write of the handler goes through it), and whose `publish` writes
 * follow-up events to the outbox in it.
 */
export interface HandlerContext<DB, Settings = unknown, Resources = unknown> extends UnitOfWork<DB> {
  delivery: Delivery;
  logger: Logger;
  settings: Settings;
  resources: Resources;
  secrets: ServiceSecrets;
  /** Same shape as ServiceContext.inTransaction; runs `work` in the handler's own transaction. */
  inTransaction: InTransaction<DB>;
}

/**
 * One entry of a subscription: the handler of one event type, Mercato's own (fixed source) or one
 * received from other systems (ExternalEventType: any source with one of its prefixes).
 */
// biome-ignore lint/suspicious/noExplicitAny: the settings of any service.
export interface EventHandler<DB, Settings = any, Resources = any> {
  // biome-ignore lint/suspicious/noExplicitAny: an entry takes an event type of any detail.
  type: HandledEventType<any>;
  // biome-ignore lint/suspicious/noExplicitAny: typed by `on`.
  handle(event: EventEnvelope<any>, context: HandlerContext<DB, Settings, Resources>): Promise<void>;
}

/**
 * Handles events of `type`: `on(OrderPlaced, (event, context) => ...)`, with `event.detail`
 * typed and already validated against the type's schema.
 */
// biome-ignore lint/suspicious/noExplicitAny: DB and settings are inferred from the subscription.
export function on<Detail, DB = any, Settings = any, Resources = any>(
  type: HandledEventType<Detail>,
  handle: (event: EventEnvelope<Detail>, context: HandlerContext<DB, Settings, Resources>) => Promise<void>,
): EventHandler<DB, Settings, Resources> {
  return { type, handle };
}

export type QueueSettings = Partial<Omit<QueueConfig, "name">> & {
  /** Handlers running at once in this process. */
  concurrency?: number;
};

/**
 * A rule and its queue: the events the service wants, and what to do with each. The handler runs
 * at most once per event (inbox), in a transaction, with the event's detail already validated.
 */
// biome-ignore lint/suspicious/noExplicitAny: the settings of any service.
export type SubscriptionDefinition<DB, Settings = any, Resources = any> =
  | TypedSubscription<DB, Settings, Resources>
  | PatternSubscription<DB, Settings, Resources>;

interface SubscriptionBase {
  /** Names the rule and the queue: `<service>-<name>`. */
  name: string;
  queue?: QueueSettings;
}

/**
 * The usual form: `handlers: [on(OrderPlaced, ...), on(OrderRejected, ...)]`. The rule matches
 * exactly the types handled; an event of another type fails (retried, then dead-lettered).
 */
export interface TypedSubscription<DB, Settings, Resources> extends SubscriptionBase {
  handlers: EventHandler<DB, Settings, Resources>[];
  eventPattern?: never;
}

/** Every event the pattern matches goes to `handle`, unparsed (the event log). */
export interface PatternSubscription<DB, Settings, Resources> extends SubscriptionBase {
  eventPattern: EventPattern;
  handlers?: never;
  handle(event: EventEnvelope, context: HandlerContext<DB, Settings, Resources>): Promise<void>;
}

/**
 * Work the host runs every `intervalMs` while the service runs: started after the consumers and
 * stopped before them, one run at a time; a failed run is logged and tried again at the next tick.
 */
// biome-ignore lint/suspicious/noExplicitAny: the settings of any service.
export interface TaskDefinition<DB, Settings = any, Resources = any> {
  name: string;
  intervalMs: number;
  /** When given, the interval computed from the settings instead of `intervalMs`. */
  interval?(settings: Settings): number;
  /** Also runs once as soon as the service started. */
  runAtStart?: boolean;
  run(context: ServiceContext<DB, Settings, Resources>): Promise<void>;
}

/** One service: everything the host needs to run it in any topology (architecture.md, principle 4). */
export interface ServiceDefinition<DB = unknown, Settings = unknown, Resources = unknown> {
  /** Lowercase; names the schema, the database `mercato_<name>` and the `mercato.<name>` source. */
  name: string;
  /** Folder of forward-only `*.sql` migrations; absent for a service that owns no tables. */
  migrations?: URL;
  /**
   * Parses the service's settings from the environment (all variables, as strings); the host
   * runs it before anything starts and gives the result as `context.settings`.
   */
  settings?: z.ZodType<Settings>;
  /** Secrets the host loads before anything starts, given as `context.secrets`. */
  secrets?: SecretName[];
  /**
   * Makes what routes, handlers and tasks share for one run of the service (a client, a cache),
   * after settings and secrets and before anything else; `onStop` closes what needs closing.
   */
  resources?(context: ServiceContext<DB, Settings, undefined>): Resources | Promise<Resources>;
  routes?(app: FastifyInstance, context: ServiceContext<DB, Settings, Resources>): void | Promise<void>;
  subscriptions?: SubscriptionDefinition<DB, Settings, Resources>[];
  tasks?: TaskDefinition<DB, Settings, Resources>[];
  /** Runs after migrations and consumers started, before tasks and traffic (seed data, caches). */
  onStart?(context: ServiceContext<DB, Settings, Resources>): Promise<void>;
  /** Runs when the host stops, after tasks and consumers stopped and before the database closes. */
  onStop?(context: ServiceContext<DB, Settings, Resources>): Promise<void>;
  /** Set by `configureService`: settings and secrets given instead of read (tests, tools). */
  overrides?: ServiceOverrides<Settings>;
}

export interface ServiceOverrides<Settings> {
  settings?: Partial<Settings>;
  secrets?: Partial<ServiceSecrets>;
}

/** Identity function that gives a definition its database and settings types. */
export function defineService<DB, Settings = unknown, Resources = unknown>(
  definition: ServiceDefinition<DB, Settings, Resources>,
): ServiceDefinition<DB, Settings, Resources> {
  return definition;
}

/**
 * The same service with some settings or secrets given rather than read from the environment:
 * `configureService(ordersService, { settings: { paymentTimeoutMs: 1_000 } })`.
 */
export function configureService<DB, Settings, Resources>(
  definition: ServiceDefinition<DB, Settings, Resources>,
  overrides: ServiceOverrides<Settings>,
): ServiceDefinition<DB, Settings, Resources> {
  const before = definition.overrides ?? {};
  return {
    ...definition,
    overrides: {
      settings: { ...before.settings, ...overrides.settings } as Partial<Settings>,
      secrets: { ...before.secrets, ...overrides.secrets },
    },
  };
}

/**
 * Queues a service makes while it runs (webhooks: one per subscription), beside the static
 * subscriptions of its definition. Each is named `<service>-<key>` and fed by a rule of the same
 * name. Consumers asked for before the service's consumers start begin with them; all stop with
 * them. The queues and rules live on the bus; which of them this process consumes does not survive
 * a restart, so a service attaches its consumers again when it starts (onStart), and in a
 * distributed deployment every process that runs the service consumes every queue.
 *
 * Handlers get each event outside any transaction and without an inbox: they open their own
 * transactions with `inTransaction` and make their effects idempotent themselves (an HTTP call, for
 * example, cannot share a database transaction). A handler that throws has its message retried
 * with the queue's backoff, then dead-lettered.
 */
export interface RuntimeQueues<DB, Settings = unknown, Resources = unknown> {
  /** The queue and rule name of `key`: `<service>-<key>`. */
  nameOf(key: string): string;
  /** Creates the queue and its DLQ, or updates their settings. */
  declare(key: string, settings?: Omit<QueueSettings, "concurrency">): Promise<void>;
  /** Routes what `eventPattern` matches to the queue, replacing the pattern; InvalidPatternError when bad. */
  putRule(key: string, eventPattern: EventPattern): Promise<void>;
  /** Stops routing events to the queue; what it holds stays. */
  deleteRule(key: string): Promise<void>;
  /** Consumes the queue in this process; a queue consumed here already is left as it is. */
  consume(
    key: string,
    handle: RuntimeHandler<DB, Settings, Resources>,
    options?: { concurrency?: number },
  ): Promise<void>;
  /** Stops consuming the queue in this process, once its running handlers have finished. */
  stopConsuming(key: string): Promise<void>;
  /** Deletes the rule, stops consuming, then deletes the queue with its messages and DLQ. */
  remove(key: string): Promise<void>;
  /** The keys of the queues this process consumes. */
  consumed(): string[];
  /** The keys of this service's runtime queues on the bus, whoever declared them. */
  declared(): Promise<string[]>;
}

/** What a runtime queue's handler gets: the service's context, the delivery, a logger naming both. */
export type RuntimeHandlerContext<DB, Settings = unknown, Resources = unknown> = ServiceContext<
  DB,
  Settings,
  Resources
> & { delivery: Delivery };

export type RuntimeHandler<DB, Settings = unknown, Resources = unknown> = (
  event: EventEnvelope,
  context: RuntimeHandlerContext<DB, Settings, Resources>,
) => Promise<void>;
