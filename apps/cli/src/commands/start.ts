import { ConfigError, createLogger, loadConfig, startHost } from "@mercato/platform";
import { seedDemoShop } from "../seed/demo-seed.ts";
import { selectServices, serviceCatalog } from "../services.ts";

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
  const host = await startHost({ config, services, logger });
  await seedDemoShop(host, config, logger).catch((error: unknown) =>
    logger.error({ err: error }, "the demo shop could not be loaded"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await host.close();
  return 0;
}
