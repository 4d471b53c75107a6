import type { EventEnvelope } from "@mercato/contracts";
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import type { QueueConfig, Subscription, Transport } from "../bus/transport.ts";
import { ConfigError, type PlatformConfig } from "../config.ts";
import type { DatabaseProvider, ServiceDatabase } from "../db/databases.ts";
import { loadMigrations, migrate } from "../db/migrations.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import { withInbox } from "../outbox/inbox.ts";
import { writeToOutbox } from "../outbox/outbox.ts";
import { OutboxRelay } from "../outbox/relay.ts";
import { messagingMigrations } from "../outbox/tables.ts";
import { createSealedBox } from "../secrets/sealed-box.ts";
import { loadSecretKey } from "../secrets/secret-key.ts";
import type {
  HandlerContext,
  ServiceContext,
  ServiceDefinition,
  ServiceSecrets,
  SubscriptionDefinition,
  TaskDefinition,
  UnitOfWork,
} from "./definition.ts";
import { inboxPruning } from "./inbox-pruning.ts";
import { type PeriodicTask, startPeriodicTask } from "./periodic-task.ts";

/**
 * Messages a consumer holds at once. Handlers of one batch run one after another in the batch's
 * transaction (see withInbox), so this bounds how many deliveries can share a commit, not how
 * many handlers run in parallel.
 */
const defaultConcurrency = 128;

export const queueDefaults: Omit<QueueConfig, "name"> = {
  visibilityTimeoutMs: 30_000,
  maxReceiveCount: 5,
  backoff: { baseMs: 200, maxMs: 30_000 },
};

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

/** Metrics every service reports, created once per host and labelled by service and queue. */
export function createServiceMetrics(metrics: Metrics) {
  return {
    handlerDuration: metrics.histogram({
      name: "handler_duration_seconds",
      help: "Event handler run time in seconds, by queue and outcome",
      labelNames: ["queue", "outcome"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    }),
    outboxPublished: metrics.counter({
      name: "outbox_published_total",
      help: "Events the outbox relay published, by service",
      labelNames: ["service"],
    }),
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;

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
  private readonly tasks: PeriodicTask[] = [];
  private settings: Settings | undefined;
  private resources: Resources | undefined;
  private secrets: Partial<ServiceSecrets> = {};

  constructor(
    readonly definition: ServiceDefinition<DB, Settings, Resources>,
    private readonly dependencies: ServiceDependencies,
  ) {
    this.logger = dependencies.logger.child({ service: definition.name });
  }

  get context(): ServiceContext<DB, Settings, Resources> {
    const database = this.requireDatabase();
    return {
      name: this.definition.name,
      config: this.dependencies.config,
      settings: this.settings as Settings,
      resources: this.resources as Resources,
      secrets: this.secretsView(),
      logger: this.logger,
      database,
      db: database.db,
      inTransaction: (work) =>
        database.db.transaction().execute((transaction) =>
          work({
            transaction,
            publish: (events) => writeToOutbox(transaction as Transaction<unknown>, database.schema, events),
          }),
        ),
      metrics: this.dependencies.metrics,
      hostUrl: () => {
        const { url } = this.dependencies.address;
        if (!url) throw new Error(`${this.definition.name} asked for the host's URL before the host listens`);
        return url;
      },
    };
  }

  async prepare(): Promise<void> {
    const { databases, transport } = this.dependencies;
    this.settings = this.parseSettings();
    await this.loadSecrets();
    this.database = await databases.forService<DB>(this.definition.name);
    const own = this.definition.migrations ? await loadMigrations(this.definition.migrations) : [];
    const migrations = [...messagingMigrations, ...own];
    const applied = await migrate(this.database, migrations);
    if (applied.length > 0) this.logger.info({ migrations: applied }, "applied migrations");
    if (this.definition.resources) {
      this.resources = await this.definition.resources({ ...this.context, resources: undefined });
    }
    for (const subscription of this.definition.subscriptions ?? []) {
      const queue = this.queueName(subscription);
      const { concurrency: _concurrency, ...settings } = subscription.queue ?? {};
      await transport.declareQueue({ ...queueDefaults, ...settings, name: queue });
      await transport.putRule({ name: queue, eventPattern: eventPatternOf(subscription), queue });
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
    const tasks: TaskDefinition<DB, Settings, Resources>[] = [
      ...(this.definition.tasks ?? []),
      inboxPruning(this.dependencies.inboxRetentionMs),
    ];
    for (const task of tasks) {
      const intervalMs = task.interval ? task.interval(context.settings) : task.intervalMs;
      this.tasks.push(
        startPeriodicTask(
          { name: task.name, intervalMs, logger: this.logger, runAtStart: task.runAtStart },
          () => task.run(context),
        ),
      );
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.splice(0).map((task) => task.stop()));
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
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
    const logger = this.logger.child({ queue });
    const dispatch = dispatcherOf(subscription, queue);
    const handler = withInbox(database, queue, async (event, { transaction, delivery }) => {
      const unit: UnitOfWork<DB> = {
        transaction,
        publish: (events) => writeToOutbox(transaction as Transaction<unknown>, database.schema, events),
      };
      await dispatch(event, {
        ...unit,
        delivery,
        logger: logger.child({ eventId: event.id, correlationId: event.metadata["correlation-id"] }),
        settings: this.settings as Settings,
        resources: this.resources as Resources,
        secrets: this.secretsView(),
        inTransaction: (work) => work(unit),
      });
    });
    const duration = this.dependencies.serviceMetrics.handlerDuration;
    const timed: typeof handler = async (delivery) => {
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
    return this.dependencies.transport.consume(queue, timed, {
      concurrency: subscription.queue?.concurrency ?? defaultConcurrency,
    });
  }

  private queueName(subscription: SubscriptionDefinition<DB, Settings, Resources>): string {
    return `${this.definition.name}-${subscription.name}`;
  }

  /** The definition's settings schema over the environment, then any overrides. */
  private parseSettings(): Settings {
    const overrides = this.definition.overrides?.settings;
    const schema = this.definition.settings;
    if (!schema) return { ...overrides } as Settings;
    const env = this.dependencies.env ?? process.env;
    const present = Object.fromEntries(
      Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
    );
    const parsed = schema.safeParse(present);
    if (!parsed.success) {
      throw new ConfigError(
        parsed.error.issues.map(
          (issue) => `${this.definition.name}: ${issue.path.join(".") || "(settings)"} ${issue.message}`,
        ),
      );
    }
    return { ...parsed.data, ...overrides } as Settings;
  }

  private async loadSecrets(): Promise<void> {
    const given = this.definition.overrides?.secrets ?? {};
    this.secrets = { ...given };
    if (this.definition.secrets?.includes("sealedBox") && !given.sealedBox) {
      const { config } = this.dependencies;
      this.secrets.sealedBox = createSealedBox(await loadSecretKey(config.secretKey, config.dataDir));
    }
  }

  private secretsView(): ServiceSecrets {
    const secrets = this.secrets;
    const name = this.definition.name;
    return {
      get sealedBox() {
        if (!secrets.sealedBox)
          throw new Error(`${name} uses the sealed box without declaring secrets: ["sealedBox"]`);
        return secrets.sealedBox;
      },
    };
  }

  private requireDatabase(): ServiceDatabase<DB> {
    if (!this.database) throw new Error(`Service ${this.definition.name} is not prepared`);
    return this.database;
  }
}

type Dispatch<DB, Settings, Resources> = (
  event: EventEnvelope,
  context: HandlerContext<DB, Settings, Resources>,
) => Promise<void>;

/**
 * How a subscription's events reach its code: by type to the `on` entries, with the detail
 * validated (an event none handles fails, so that it is retried and dead-lettered rather than
 * acknowledged unhandled), or every event to a pattern subscription's `handle`.
 */
function dispatcherOf<DB, Settings, Resources>(
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

function eventPatternOf<DB, Settings, Resources>(
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
