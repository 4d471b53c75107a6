import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EventEnvelope } from "@mercato/contracts";
import { type Host, loadConfig, silentLogger, startHost } from "@mercato/platform";
import { createTestAuthority, type TestAuthority } from "@mercato/platform/testing";
import { catalogService } from "../src/index.ts";

export interface CatalogHost {
  host: Host;
  authority: TestAuthority;
  adminToken: string;
  customerToken: string;
  /** Every event catalog published, in arrival order. */
  events: EventEnvelope[];
  close(): Promise<void>;
}

/**
 * Catalog alone, with a queue that records its events: on PGlite in a temporary directory, or on
 * the PostgreSQL server `databaseUrl` (then under its own service name, so its database is its own).
 */
export async function startCatalog(
  options: { databaseUrl?: string; databasePrefix?: string; serviceName?: string } = {},
): Promise<CatalogHost> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-catalog-"));
  const authority = await createTestAuthority();
  const config = loadConfig({
    MERCATO_DATA_DIR: dataDir,
    MERCATO_SEED: "none",
    DATABASE_URL: options.databaseUrl,
    MERCATO_DATABASE_PREFIX: options.databasePrefix,
  });
  const host = await startHost({
    config: { ...config, port: 0 },
    services: [{ ...catalogService, name: options.serviceName ?? catalogService.name }],
    logger: silentLogger(),
    auth: authority.verifier,
  });
  const events: EventEnvelope[] = [];
  const queue = "catalog-test-recorder";
  await host.transport.declareQueue({
    name: queue,
    visibilityTimeoutMs: 5_000,
    maxReceiveCount: 3,
    backoff: { baseMs: 10, maxMs: 100 },
  });
  await host.transport.putRule({ name: queue, eventPattern: { source: ["mercato.catalog"] }, queue });
  const recorder = await host.transport.consume(queue, async (delivery) => {
    events.push(delivery.event);
  });
  return {
    host,
    authority,
    adminToken: await authority.token({ roles: ["admin"] }),
    customerToken: await authority.token({ roles: ["customer"] }),
    events,
    async close() {
      await recorder.stop();
      await host.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export { waitFor } from "@mercato/platform/testing";
