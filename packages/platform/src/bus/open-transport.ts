import type { PlatformConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import { createEmbeddedTransport } from "./embedded/index.ts";
import { createNatsTransport } from "./nats/index.ts";
import type { Transport } from "./transport.ts";

/** NATS JetStream when BUS_URL is set, else the embedded bus under the data directory. */
export function openTransport(config: PlatformConfig, logger: Logger): Promise<Transport> {
  return config.busUrl
    ? createNatsTransport({ url: config.busUrl, prefix: config.busPrefix, logger })
    : createEmbeddedTransport({ dataDir: config.dataDir, logger });
}
