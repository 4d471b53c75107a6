import {
  ConfigError,
  createLogger,
  type Host,
  loadConfig,
  shutdownTracing,
  startHost,
} from "@mercato/platform";
import { seedDemoShop, seedingServices } from "../seed/demo-seed.ts";
import { InProcessSeedApi } from "../seed/seed-client.ts";
import { selectServices, serviceCatalog } from "../services.ts";
import { ShutdownSignals } from "../shutdown-signals.ts";

/** `mercato start [--service <name>]...`: every service in one process, or the ones named. */
export async function start(serviceNames: string[]): Promise<number> {
  const unknown = serviceNames.filter((name) => !serviceCatalog.some((service) => service.name === name));
  if (unknown.length > 0) {
    console.error(
      `Unknown service ${unknown.join(", ")}; services are: ${serviceCatalog.map((s) => s.name).join(", ")}`,
    );
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  let services: ReturnType<typeof selectServices>;
  try {
    config = loadConfig();
    services = selectServices(serviceNames);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const signals = new ShutdownSignals((signal) =>
    logger.warn({ signal }, "stopped at once, without draining"),
  );
  let host: Host;
  try {
    host = await startHost({ config, services, logger });
  } catch (error) {
    signals.dispose();
    throw error;
  }

  const stopSeeding = new AbortController();
  const running = new Set(host.services.map((service) => service.definition.name));
  const seeding =
    signals.received || config.seed !== "demo" || !seedingServices.every((name) => running.has(name))
      ? Promise.resolve()
      : seedDemoShop(
          new InProcessSeedApi(host),
          config,
          (state) => host.reportProgress("demoShop", state),
          logger,
          stopSeeding.signal,
        ).catch((error: unknown) => logger.error({ err: error }, "the demo shop could not be loaded"));
  const signal = await signals.requested;
  logger.info(
    { signal },
    "stopping: draining requests, consumers and the outbox (Ctrl-C again to stop at once)",
  );
  stopSeeding.abort();
  await seeding;
  await host.close();
  // The last spans (the drain's) are exported before the process ends.
  await shutdownTracing();
  signals.dispose();
  logger.info("stopped");
  return 0;
}
