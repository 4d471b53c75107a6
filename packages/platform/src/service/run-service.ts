import type { EventEnvelope } from "@mercato/contracts";
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import type { Handler, Subscription, Transport } from "../bus/transport.ts";
import type { PlatformConfig } from "../config.ts";
import type { DatabaseProvider, ServiceDatabase } from "../db/databases.ts";
import { loadMigrations, migrate } from "../db/migrations.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import { withInbox } from "../outbox/inbox.ts";
import { type OutboxRow, writeToOutbox } from "../outbox/outbox.ts";
import { OutboxRelay } from "../outbox/relay.ts";
import { messagingMigrations } from "../outbox/tables.ts";
import { withConsumeSpan } from "../tracing/trace-context.ts";
import { declaredQueues, queueDefaults, queueNameOf } from "./declared-queues.ts";
import type {
  ServiceContext,
  ServiceDefinition,
  ServiceSecrets,
  SubscriptionDefinition,
  TaskDefinition,
  UnitOfWork,
} from "./definition.ts";
import { dispatcherOf, instrumented } from "./event-dispatch.ts";
import { inboxPruning } from "./inbox-pruning.ts";
import { type PeriodicTask, startPeriodicTask } from "./periodic-task.ts";
import { RuntimeQueueSet } from "./runtime-queues.ts";
import type { ServiceMetrics } from "./service-metrics.ts";
import { loadSecrets, parseSettings, secretsView } from "./settings-and-secrets.ts";

/**
 * Messages a consumer holds at once. Handlers of one batch run one after another in the batch's
 * transaction (see withInbox), so this bounds how many deliveries can share a commit, not how
 * many handlers run in parallel.
 */
const defaultConcurrency = 128;

export interface ServiceDependencies {
  config: PlatformConfig;
  logger: Logger;
  databases: DatabaseProvider;
  transport: Transport;
  serviceMetrics: ServiceMetrics;
  metrics: Metrics;
  /** Filled in by the host once it listens. */
  address: { url?: string };
  /** Where services' settings are read from; process.env unless given. */
  env?: Record<string, string | undefined>;
  /** How long inbox rows are kept (MERCATO_INBOX_RETENTION_MS). */
  inboxRetentionMs: number;
}

/**
 * A service brought up by the host in three phases, so that in one process every rule exists
 * before any service publishes: `prepare` (database, migrations, queues, rules), `start`
 * (consumers, relay, onStart), `stop`.
 */
export class RunningService<DB = unknown, Settings = unknown, Resources = unknown> {
  readonly logger: Logger;
  private database: ServiceDatabase<DB> | undefined;
  private relay: OutboxRelay<DB> | undefined;
  private readonly consumers: Subscription[] = [];
  private readonly invocationHandlers = new Map<string, Handler>();
  private readonly tasks: PeriodicTask[] = [];
  private settings: Settings | undefined;
  private resources: Resources | undefined;
  private secrets: Partial<ServiceSecrets> = {};
  private readonly queues: RuntimeQueueSet<DB, Settings, Resources>;

  constructor(
    readonly definition: ServiceDefinition<DB, Settings, Resources>,
    private readonly dependencies: ServiceDependencies,
  ) {
    this.logger = dependencies.logger.child({ service: definition.name });
    this.queues = new RuntimeQueueSet({
      service: definition.name,
      transport: dependencies.transport,
      logger: this.logger,
      queueDefaults,
      staticQueues: (definition.subscriptions ?? []).map((subscription) => this.queueName(subscription)),
      context: () => this.context,
      instrument: (queue, handler) => this.instrument(queue, handler),
    });
  }

  get context(): ServiceContext<DB, Settings, Resources> {
    const database = this.requireDatabase();
    return {
      name: this.definition.name,
      config: this.dependencies.config,
      settings: this.settings as Settings,
      resources: this.resources as Resources,
      secrets: secretsView(this.secrets, this.definition.name),
      logger: this.logger,
      database,
      db: database.db,
      inTransaction: async (work) => {
        const written: OutboxRow[] = [];
        const result = await database.db.transaction().execute((transaction) =>
          work({
            transaction,
            publish: async (events) => {
              written.push(...(await this.writeToOutbox(transaction, events)));
            },
          }),
        );
        this.handOver(written);
        return result;
      },
      metrics: this.dependencies.metrics,
      queues: this.queues,
      hostUrl: () => {
        const { url } = this.dependencies.address;
        if (!url) throw new Error(`${this.definition.name} asked for the host's URL before the host listens`);
        return url;
      },
    };
  }

  async prepare(): Promise<void> {
    const { databases, transport } = this.dependencies;
    this.settings = parseSettings(this.definition, this.dependencies.env ?? process.env);
    this.secrets = await loadSecrets(this.definition, this.dependencies.config);
    this.database = await databases.forService<DB>(this.definition.name);
    const own = this.definition.migrations ? await loadMigrations(this.definition.migrations) : [];
    const migrations = [...messagingMigrations, ...own];
    const applied = await migrate(this.database, migrations);
    if (applied.length > 0) this.logger.info({ migrations: applied }, "applied migrations");
    if (this.definition.resources) {
      // Before they exist; the handlers of `queues` get the context with them.
      const context = { ...this.context, resources: undefined } as ServiceContext<DB, Settings, undefined>;
      this.resources = await this.definition.resources(context);
    }
    for (const { queue, rule } of declaredQueues(this.definition)) {
      await transport.declareQueue(queue);
      await transport.putRule(rule);
    }
  }

  async registerRoutes(app: FastifyInstance): Promise<void> {
    await this.definition.routes?.(app, this.context);
  }

  async start(): Promise<void> {
    const database = this.requireDatabase();
    for (const subscription of this.definition.subscriptions ?? []) {
      this.consumers.push(await this.consume(database, subscription));
    }
    await this.queues.start();
    const published = this.dependencies.serviceMetrics.outboxPublished.labels({
      service: this.definition.name,
    });
    const relay = new OutboxRelay({
      database,
      transport: this.dependencies.transport,
      logger: this.logger,
      onPublished: (count) => published.inc(count),
    });
    this.relay = relay;
    await relay.start();
    await this.definition.onStart?.(this.context);
    const context = this.context;
    for (const task of this.periodicTasks()) {
      const intervalMs = task.interval ? task.interval(context.settings) : task.intervalMs;
      this.tasks.push(
        startPeriodicTask(
          { name: task.name, intervalMs, logger: this.logger, runAtStart: task.runAtStart },
          () => task.run(context),
        ),
      );
    }
  }

  /**
   * `start` for a host that is handed its deliveries rather than consuming them (AWS Lambda): the
   * service's onStart runs, and no consumer, outbox relay or periodic task starts; the host passes
   * each delivery to `handlerOf` and publishes the outbox itself.
   */
  async startForInvocations(): Promise<void> {
    await this.definition.onStart?.(this.context);
  }

  /**
   * The handler this service's consumer of `queue` runs (inbox, transaction, outbox, metrics), made
   * once, so that deliveries handed in together share batch commits as a consumer's do; undefined
   * when no subscription of this service has that queue.
   */
  handlerOf(queue: string): Handler | undefined {
    const made = this.invocationHandlers.get(queue);
    if (made) return made;
    const subscription = this.definition.subscriptions?.find((entry) => this.queueName(entry) === queue);
    if (!subscription) return undefined;
    const handler = this.subscriptionHandler(this.requireDatabase(), subscription);
    this.invocationHandlers.set(queue, handler);
    return handler;
  }

  /**
   * Runs each periodic task once, one after another, for a host with no timers of its own (AWS
   * Lambda, invoked on a schedule); a task that fails is logged and the next one runs.
   */
  async runTasksOnce(): Promise<void> {
    const context = this.context;
    for (const task of this.periodicTasks()) {
      try {
        await task.run(context);
      } catch (error) {
        this.logger.error({ err: error, task: task.name }, `${task.name} failed`);
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.splice(0).map((task) => task.stop()));
    await Promise.all([...this.consumers.map((consumer) => consumer.stop()), this.queues.stop()]);
    await this.relay?.stop();
    if (this.database) await this.definition.onStop?.(this.context);
    await this.database?.close();
  }

  /** Events committed to the outbox and not yet published. */
  async outboxBacklog(): Promise<number> {
    const rows = await this.requireDatabase().script((session) =>
      session.query<{ count: number }>("SELECT count(*)::int AS count FROM outbox"),
    );
    return rows[0]?.count ?? 0;
  }

  /** Readiness: the database answers. */
  async check(): Promise<void> {
    await this.requireDatabase().script((session) => session.query("SELECT 1"));
  }

  private consume(
    database: ServiceDatabase<DB>,
    subscription: SubscriptionDefinition<DB, Settings, Resources>,
  ): Promise<Subscription> {
    const queue = this.queueName(subscription);
    return this.dependencies.transport.consume(queue, this.subscriptionHandler(database, subscription), {
      concurrency: subscription.queue?.concurrency ?? defaultConcurrency,
    });
  }

  /** The inbox, transaction, outbox and metrics around a subscription's code: what its consumer runs. */
  private subscriptionHandler(
    database: ServiceDatabase<DB>,
    subscription: SubscriptionDefinition<DB, Settings, Resources>,
  ): Handler {
    const queue = this.queueName(subscription);
    const logger = this.logger.child({ queue });
    const dispatch = dispatcherOf(subscription, queue);
    const handler = withInbox(database, queue, async (event, { transaction, delivery, afterCommit }) => {
      const unit: UnitOfWork<DB> = {
        transaction,
        publish: async (events) => {
          const written = await this.writeToOutbox(transaction, events);
          afterCommit(() => this.handOver(written));
        },
      };
      // The span starts here, inside the batch's transaction, because a batch mixes events of many traces.
      await withConsumeSpan(queue, delivery, event, () =>
        dispatch(event, {
          ...unit,
          delivery,
          logger: logger.child({ eventId: event.id, correlationId: event.metadata["correlation-id"] }),
          settings: this.settings as Settings,
          resources: this.resources as Resources,
          secrets: secretsView(this.secrets, this.definition.name),
          inTransaction: (work) => work(unit),
        }),
      );
    });
    return this.instrument(queue, handler);
  }

  /**
   * The events of a unit of work, in its outbox. In `process` order they are handed to this
   * process's relay once the unit commits; in `service` order a NOTIFY at commit wakes the relays
   * of every process of the service, and one of them publishes the rows in outbox order.
   */
  private writeToOutbox(transaction: Transaction<DB>, events: EventEnvelope[]): Promise<OutboxRow[]> {
    const { schema } = this.requireDatabase();
    const notify = this.dependencies.config.outboxOrder === "service";
    return writeToOutbox(transaction as Transaction<unknown>, schema, events, { notify });
  }

  private handOver(rows: OutboxRow[]): void {
    if (this.dependencies.config.outboxOrder === "process") this.relay?.committed(rows);
  }

  /** Times every run of `handler` by outcome and logs its failures. */
  private instrument(queue: string, handler: Handler): Handler {
    return instrumented(handler, {
      duration: this.dependencies.serviceMetrics.handlerDuration,
      logger: this.logger.child({ queue }),
      queue,
    });
  }

  /** The definition's periodic tasks and the host's own, inbox pruning. */
  private periodicTasks(): TaskDefinition<DB, Settings, Resources>[] {
    return [...(this.definition.tasks ?? []), inboxPruning(this.dependencies.inboxRetentionMs)];
  }

  private queueName(subscription: SubscriptionDefinition<DB, Settings, Resources>): string {
    return queueNameOf(this.definition.name, subscription);
  }

  private requireDatabase(): ServiceDatabase<DB> {
    if (!this.database) throw new Error(`Service ${this.definition.name} is not prepared`);
    return this.database;
  }
}
