import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EventEnvelope } from "@mercato/contracts";
import type { TokenVerifier } from "@mercato/platform";
import {
  type Host,
  loadConfig,
  type PlatformConfig,
  type ServiceContext,
  type Subscription,
  silentLogger,
  startHost,
} from "@mercato/platform";
import { type InventoryTables, inventoryService } from "../src/index.ts";

export interface InventoryHost {
  host: Host;
  context: ServiceContext<InventoryTables>;
  /** Every event inventory published since start, in arrival order. */
  events: EventEnvelope[];
  close(): Promise<void>;
}

/**
 * A host running inventory (under `name`, which names its database) with a test queue that
 * receives everything inventory publishes.
 */
export async function startInventoryHost(
  options: { name?: string; databaseUrl?: string; databasePrefix?: string; auth?: TokenVerifier } = {},
): Promise<InventoryHost> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-inventory-"));
  const config: PlatformConfig = {
    ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_SEED: "none" }),
    port: 0,
    databaseUrl: options.databaseUrl,
    ...(options.databasePrefix ? { databasePrefix: options.databasePrefix } : {}),
  };
  const service = { ...inventoryService, name: options.name ?? inventoryService.name };
  const host = await startHost({
    config,
    services: [service],
    logger: silentLogger(),
    ...(options.auth ? { auth: options.auth } : {}),
  });
  const queue = "test-inventory-events";
  await host.transport.declareQueue({
    name: queue,
    visibilityTimeoutMs: 5_000,
    maxReceiveCount: 3,
    backoff: { baseMs: 10, maxMs: 100 },
  });
  await host.transport.putRule({ name: queue, eventPattern: { source: ["mercato.inventory"] }, queue });
  const events: EventEnvelope[] = [];
  const consumer: Subscription = await host.transport.consume(queue, async (delivery) => {
    events.push(delivery.event);
  });
  const running = host.services[0];
  if (!running) throw new Error("the host runs no service");
  return {
    host,
    context: running.context as ServiceContext<InventoryTables>,
    events,
    async close() {
      await consumer.stop();
      await host.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export { waitFor } from "@mercato/platform/testing";

/** The details of the events of one type, in order. */
export function detailsOf(events: EventEnvelope[], detailType: string): unknown[] {
  return events.filter((event) => event["detail-type"] === detailType).map((event) => event.detail);
}
