import type { PlatformConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Transport } from "./transport.ts";

/**
 * EventBridge with SQS when BUS_URL is aws://<region>/<bus-name>, NATS JetStream when it is
 * nats://..., else the embedded bus under the data directory.
 */
export async function openTransport(config: PlatformConfig, logger: Logger): Promise<Transport> {
  // Loaded on demand: a process needs only the transport it runs.
  if (config.busUrl?.startsWith("aws:")) {
    const { createAwsTransport } = await import("./aws/index.ts");
    return createAwsTransport({
      url: config.busUrl,
      prefix: config.busPrefix,
      logger,
      ...(config.busPollSeconds === undefined ? {} : { receiveWaitSeconds: config.busPollSeconds }),
    });
  }
  if (config.busUrl) {
    const { createNatsTransport } = await import("./nats/index.ts");
    return createNatsTransport({ url: config.busUrl, prefix: config.busPrefix, logger });
  }
  const { createEmbeddedTransport } = await import("./embedded/index.ts");
  return createEmbeddedTransport({ dataDir: config.dataDir, logger });
}
