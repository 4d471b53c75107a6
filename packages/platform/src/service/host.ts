import type { FastifyInstance } from "fastify";
import { installTokenVerifier } from "../auth/require-user.ts";
import { type AuthenticatedUser, remoteJwksVerifier, type TokenVerifier } from "../auth/tokens.ts";
import { openTransport } from "../bus/open-transport.ts";
import type { Transport } from "../bus/transport.ts";
import type { PlatformConfig } from "../config.ts";
import { type DatabaseProvider, openDatabaseProvider } from "../db/databases.ts";
import { createHttpServer } from "../http/index.ts";
import { PeerProcesses } from "../http/peer-processes.ts";
import { createLogger, type Logger } from "../log.ts";
import { createMetrics } from "../metrics/index.ts";
import { AlertEvaluator } from "../ops/alerts/alert-evaluator.ts";
import { loadOpsToken } from "../ops/ops-token.ts";
import { opsAuthorizer, registerOpsRoutes } from "../ops/routes.ts";
import { lockDataDirectory } from "./data-dir-lock.ts";
import type { ServiceDefinition } from "./definition.ts";
import { inboxRetentionMs } from "./inbox-pruning.ts";
import { registerOutboxMetrics, registerQueueMetrics } from "./queue-metrics.ts";
import { RunningService } from "./run-service.ts";
import { createServiceMetrics } from "./service-metrics.ts";

export interface Host {
  app: FastifyInstance;
  transport: Transport;
  databases: DatabaseProvider;
  services: RunningService[];
  /** The address the server listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Shows how far background work (e.g. the demo load) is, in `/health/ready`. */
  reportProgress(name: string, state: string): void;
  close(): Promise<void>;
}

export interface HostOptions {
  config: PlatformConfig;
  // biome-ignore lint/suspicious/noExplicitAny: the host runs services of any database type.
  services: ServiceDefinition<any, any>[];
  logger?: Logger;
  /** Interface to bind; 127.0.0.1 unless HOST says otherwise. */
  host?: string;
  /**
   * Checks access tokens. Default: the public keys identity serves at /.well-known/jwks.json, at
   * MERCATO_IDENTITY_URL or, when identity runs in this process, at this server itself.
   */
  auth?: TokenVerifier;
  /** How long inbox rows are kept; MERCATO_INBOX_RETENTION_MS (a week) unless given. */
  inboxRetentionMs?: number;
  /**
   * Handed its requests and deliveries by a function runtime (AWS Lambda) instead of serving: the
   * host does not listen, its services start without consumers, outbox relays, periodic tasks or
   * alert evaluation (`RunningService.startForInvocations`), and `url` is where it is reached.
   */
  invoked?: { url: string };
}

/**
 * Runs any set of service definitions in one process: the embedded topology runs them all, a
 * distributed deployment runs one per process. Business code never knows which.
 */
export async function startHost(options: HostOptions): Promise<Host> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const started = Date.now();
  // How long each phase of the start took, logged with "Mercato is ready".
  const phases: Record<string, number> = {};
  let phaseStarted = started;
  const phaseDone = (name: string) => {
    const now = Date.now();
    phases[name] = now - phaseStarted;
    phaseStarted = now;
  };
  // Everything opened so far, closed in reverse order on shutdown or on a failed start.
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((error) => logger.error({ err: error }, "shutdown step failed"));
    }
  };
  try {
    if (!config.databaseUrl || !config.busUrl) closers.push(await lockDataDirectory(config.dataDir));
    const [transport, databases] = await openBoth(
      () => openTransport(config, logger),
      () =>
        openDatabaseProvider({
          databaseUrl: config.databaseUrl,
          databasePrefix: config.databasePrefix,
          poolSize: config.databasePoolSize,
          dataDir: config.dataDir,
          logger,
        }),
      closers,
    );
    phaseDone("openMs");
    const metrics = createMetrics();
    const serviceMetrics = createServiceMetrics(metrics);
    const address: { url?: string } = {};
    const retentionMs = options.inboxRetentionMs ?? inboxRetentionMs();
    const services = options.services.map(
      (definition) =>
        new RunningService(definition, {
          config,
          logger,
          databases,
          transport,
          serviceMetrics,
          metrics,
          address,
          inboxRetentionMs: retentionMs,
        }),
    );
    closers.push(async () => {
      for (const service of services) await service.stop();
    });
    registerQueueMetrics(metrics, transport);
    registerOutboxMetrics(metrics, services);
    const progress = new Map<string, string>();
    const peers = new PeerProcesses(config.peerUrls);
    const app = createHttpServer({
      peers,
      logger,
      metrics,
      title: "Mercato",
      version: "0.1.0",
      ready: async () => ({
        ...(await checkReadiness(services, transport)),
        progress: Object.fromEntries(progress),
      }),
    });
    closers.push(() => app.close());
    const verifier = options.auth ?? new DeferredJwksVerifier(config.identityUrl);
    installTokenVerifier(app, verifier);

    for (const service of services) await service.prepare();
    phaseDone("prepareMs");
    const opsToken = await loadOpsToken(config.opsToken, config.dataDir);
    const alerts = new AlertEvaluator({ registry: metrics.registry, settings: config.alerts, logger });
    await app.register(async (scope) => {
      registerOpsRoutes(scope, {
        transport,
        authorize: opsAuthorizer(opsToken),
        alerts,
        peers,
      });
      for (const service of services) await service.registerRoutes(scope);
    });
    phaseDone("routesMs");
    const { invoked } = options;
    for (const service of services) await (invoked ? service.startForInvocations() : service.start());
    if (!invoked) {
      const alertEvaluation = alerts.start();
      closers.push(() => alertEvaluation.stop());
    }
    phaseDone("serviceStartMs");
    const url = invoked
      ? await app.ready().then(() => invoked.url)
      : await app.listen({ port: config.port, host: options.host ?? process.env.HOST ?? "127.0.0.1" });
    phaseDone("listenMs");
    address.url = url;
    if (verifier instanceof DeferredJwksVerifier) verifier.listeningAt(url);
    logger.info(
      {
        url,
        services: services.map((service) => service.definition.name),
        database: databases.engine,
        bus: transport.kind,
        startMs: Date.now() - started,
        ...phases,
      },
      "Mercato is ready",
    );
    const reportProgress = (name: string, state: string) => progress.set(name, state);
    return { app, transport, databases, services, url, reportProgress, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Opens two resources at once; if either fails, the other is still registered for closing. */
async function openBoth<A extends { close(): Promise<void> }, B extends { close(): Promise<void> }>(
  openA: () => Promise<A>,
  openB: () => Promise<B>,
  closers: (() => Promise<unknown>)[],
): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([openA(), openB()]);
  if (a.status === "fulfilled") closers.push(() => a.value.close());
  if (b.status === "fulfilled") closers.push(() => b.value.close());
  if (a.status === "rejected") throw a.reason;
  if (b.status === "rejected") throw b.reason;
  return [a.value, b.value];
}

async function checkReadiness(services: RunningService[], transport: Transport) {
  const checks: Record<string, string> = {};
  const results = await Promise.allSettled([
    transport.stats().then(() => "bus"),
    ...services.map((service) => service.check().then(() => service.definition.name)),
  ]);
  const names = ["bus", ...services.map((service) => service.definition.name)];
  results.forEach((result, index) => {
    checks[names[index] ?? String(index)] = result.status === "fulfilled" ? "ok" : String(result.reason);
  });
  return { ok: results.every((result) => result.status === "fulfilled"), checks };
}

/** Identity's key set, whose address is known once this server listens (when identity is local). */
class DeferredJwksVerifier implements TokenVerifier {
  private inner: TokenVerifier | undefined;

  constructor(identityUrl: string | undefined) {
    if (identityUrl) this.inner = remoteJwksVerifier(new URL("/.well-known/jwks.json", identityUrl));
  }

  listeningAt(url: string): void {
    this.inner ??= remoteJwksVerifier(new URL("/.well-known/jwks.json", url));
  }

  verify(token: string): Promise<AuthenticatedUser> {
    if (!this.inner) throw new Error("The token verifier is used before the server listens");
    return this.inner.verify(token);
  }
}
