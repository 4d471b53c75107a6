import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, createLogger, type Logger, loadConfig, type PlatformConfig } from "@mercato/platform";
import { freePorts } from "../distributed/free-ports.ts";
import { SupervisedProcess } from "../distributed/supervised-process.ts";
import {
  firstOf,
  instancesOf,
  parseInstances,
  planTopology,
  serviceUrlsOf,
  type Topology,
  urlOf,
} from "../distributed/topology.ts";
import { seedDemoShop } from "../seed/demo-seed.ts";
import { HttpSeedApi } from "../seed/seed-client.ts";
import { serviceCatalog } from "../services.ts";
import { ShutdownSignals } from "../shutdown-signals.ts";

/**
 * `mercato start --distributed [--instances <service>=<n>]...`: every service in a process of its
 * own on PostgreSQL (DATABASE_URL) and NATS JetStream (BUS_URL), the gateway on PORT in front of
 * them with their addresses wired in, each process started again with backoff when it crashes,
 * all stopped in order at SIGINT or SIGTERM. Exit codes as `mercato start`.
 */
export async function startDistributed(instances: string[]): Promise<number> {
  const names = serviceCatalog.map((service) => service.name);
  let config: PlatformConfig;
  const problems: string[] = [];
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (!config.databaseUrl)
    problems.push(
      "DATABASE_URL must name the PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres",
    );
  if (!config.busUrl)
    problems.push("BUS_URL must name the NATS server (JetStream on), e.g. nats://127.0.0.1:4222");
  const { counts, problems: instanceProblems } = parseInstances(instances, names);
  problems.push(...instanceProblems);
  if (problems.length > 0) {
    console.error(`The distributed platform cannot start:\n  ${problems.join("\n  ")}`);
    return 2;
  }

  const logger = createLogger({ level: config.logLevel }).child({ supervisor: true });
  const extraInstances = [...counts.values()].reduce((sum, count) => sum + count - 1, 0);
  const ports = await freePorts(names.length + extraInstances);
  // PORT=0 asks for any free port; the supervisor must know which, to wait for it and print it.
  const gatewayPort = config.port === 0 ? (ports.pop() ?? 0) : config.port;
  const topology = planTopology(names, counts, gatewayPort, () => ports.shift() ?? 0);
  const processes = supervise(topology, config, logger);
  const all = [...processes.services, processes.gateway];
  const signals = new ShutdownSignals((signal) => {
    logger.warn({ signal }, "stopped at once, without draining");
    for (const running of all) running.killNow();
  });

  const starting = new AbortController();
  signals.requested.then(
    () => starting.abort(),
    () => {},
  );
  try {
    for (const running of processes.services) running.start();
    await Promise.all(processes.services.map((running) => running.ready(starting.signal)));
    processes.gateway.start();
    await processes.gateway.ready(starting.signal);
  } catch (error) {
    if (!starting.signal.aborted) logger.error({ err: error }, "the distributed platform did not start");
    await stopAll(processes, logger);
    signals.dispose();
    return starting.signal.aborted ? 0 : 1;
  }
  logger.info(
    {
      url: `http://localhost:${gatewayPort}`,
      processes: Object.fromEntries(all.map((running) => [running.planned.name, running.url])),
    },
    "Mercato is ready (distributed)",
  );

  const seeding =
    config.seed === "demo" ? seedWhileRunning(topology, config, logger, starting.signal) : undefined;
  const signal = await signals.requested;
  logger.info(
    { signal },
    "stopping every process: the gateway first, then the services (Ctrl-C again to stop at once)",
  );
  await seeding;
  await stopAll(processes, logger);
  signals.dispose();
  logger.info("stopped");
  return 0;
}

interface Supervised {
  services: SupervisedProcess[];
  gateway: SupervisedProcess;
}

function supervise(topology: Topology, config: PlatformConfig, logger: Logger): Supervised {
  const identity = urlOf(firstOf(topology, "identity"));
  const shared: NodeJS.ProcessEnv = {
    ...process.env,
    // One data directory for all: the operations token and the sealing key are read from it.
    MERCATO_DATA_DIR: config.dataDir,
    MERCATO_IDENTITY_URL: process.env.MERCATO_IDENTITY_URL ?? identity,
    MERCATO_CART_URL: process.env.MERCATO_CART_URL ?? urlOf(firstOf(topology, "cart")),
    // Eleven processes with the single-process default of 10 connections each would outgrow
    // PostgreSQL's default max_connections (100); 5 each leaves room for the server's own.
    MERCATO_DATABASE_POOL_SIZE: process.env.MERCATO_DATABASE_POOL_SIZE ?? defaultPoolSize,
  };
  return {
    services: topology.services.map(
      (planned) =>
        new SupervisedProcess(
          planned,
          // A service in several processes publishes its events in one order across them.
          instancesOf(topology, planned.service) > 1
            ? { ...shared, MERCATO_OUTBOX_ORDER: process.env.MERCATO_OUTBOX_ORDER ?? "service" }
            : shared,
          logger,
        ),
    ),
    gateway: new SupervisedProcess(
      topology.gateway,
      {
        ...shared,
        MERCATO_SERVICE_URLS: serviceUrlsOf(topology),
        // The gateway's operations API and OpenAPI document then cover every process.
        MERCATO_PEER_URLS: topology.services.map(urlOf).join(","),
      },
      logger,
    ),
  };
}

/** The gateway first, so that no request reaches a service that is going away; then the rest at once. */
async function stopAll(processes: Supervised, logger: Logger): Promise<void> {
  await processes.gateway.stop();
  await Promise.all(processes.services.map((running) => running.stop()));
  logger.info("every process has stopped");
}

/** Connections per process's service pool unless MERCATO_DATABASE_POOL_SIZE says otherwise. */
const defaultPoolSize = "5";

/** How often the demo load starts again after a failure (a service restarting under it). */
const seedAttempts = 5;
const seedRetryDelayMs = 2_000;

/**
 * Loads the demo shop through the services' own addresses. The load resumes where it stopped, so a
 * failure (a service crashing and being restarted under it) is met by starting it again.
 */
async function seedWhileRunning(
  topology: Topology,
  config: PlatformConfig,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  for (let attempt = 1; attempt <= seedAttempts && !signal.aborted; attempt += 1) {
    try {
      await seedDemoShop(seedApiOf(topology), config, () => {}, logger, signal);
      return;
    } catch (error) {
      if (signal.aborted) return;
      const last = attempt === seedAttempts;
      logger.warn(
        { err: error, attempt },
        last ? "the demo shop could not be loaded" : "demo shop load failed; trying again",
      );
      if (!last) await sleep(seedRetryDelayMs, undefined, { signal }).catch(() => {});
    }
  }
}

function seedApiOf(topology: Topology): HttpSeedApi {
  const at = (service: string) => urlOf(firstOf(topology, service));
  return new HttpSeedApi(
    new Map([
      ["/api/auth", at("identity")],
      ["/api/products", at("catalog")],
      ["/api/inventory", at("inventory")],
    ]),
  );
}
