export * from "./auth/index.ts";
export * from "./blob/index.ts";
export { retryDelayMs } from "./bus/backoff.ts";
export { groupIdOf } from "./bus/group-id.ts";
export { openTransport } from "./bus/open-transport.ts";
export { compilePattern, InvalidPatternError, RuleSet, testEventPattern } from "./bus/patterns/index.ts";
export type * from "./bus/transport.ts";
export { ConfigError, loadConfig, type PlatformConfig } from "./config.ts";
export {
  type DatabaseEngine,
  type DatabaseProvider,
  openDatabaseProvider,
  type ScriptSession,
  type ServiceDatabase,
} from "./db/databases.ts";
export { loadMigrations, type Migration, MigrationError, migrate } from "./db/migrations.ts";
export { newerEvent, takeIncoming } from "./db/replica-rows.ts";
export * from "./http/index.ts";
export { createLogger, type Logger, silentLogger } from "./log.ts";
export * from "./metrics/index.ts";
export { loadOpsToken, opsTokenFile } from "./ops/ops-token.ts";
export { type InboxContext, type InboxHandler, pruneInbox, withInbox } from "./outbox/inbox.ts";
export { writeToOutbox } from "./outbox/outbox.ts";
export { OutboxRelay, type OutboxRelayOptions } from "./outbox/relay.ts";
export * from "./secrets/index.ts";
export { DataDirectoryInUseError, releaseDataDirectoryLocksSync } from "./service/data-dir-lock.ts";
export {
  type DeclaredQueue,
  declaredQueues,
  queueDefaults,
  queueNameOf,
} from "./service/declared-queues.ts";
export type {
  EventHandler,
  EventOf,
  HandlerContext,
  InTransaction,
  QueueSettings,
  RuntimeHandler,
  RuntimeHandlerContext,
  RuntimeQueues,
  SecretName,
  ServiceContext,
  ServiceDefinition,
  ServiceOverrides,
  ServiceSecrets,
  SubscriptionDefinition,
  TaskDefinition,
  UnitOfWork,
} from "./service/definition.ts";
export { configureService, defineService, on } from "./service/definition.ts";
export { type Host, type HostOptions, startHost } from "./service/host.ts";
export { inboxPruning, inboxPruningIntervalMs, inboxRetentionMs } from "./service/inbox-pruning.ts";
export { type PeriodicTask, startPeriodicTask } from "./service/periodic-task.ts";
export { RunningService } from "./service/run-service.ts";
export { shutdownTracing, tracingActive } from "./tracing/trace-context.ts";
