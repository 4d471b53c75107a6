import type { EventEnvelope } from "@mercato/contracts";
import type { Host } from "@mercato/platform";
import { startTestHost, type TestAuthority } from "@mercato/platform/testing";
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
 * Catalog alone, with a recorder of its events: on PGlite in a temporary directory, or with
 * `postgres` on the PostgreSQL server under a database of its own.
 */
export async function startCatalog(options: { postgres?: boolean } = {}): Promise<CatalogHost> {
  const started = await startTestHost({
    services: [catalogService],
    ...(options.postgres ? { distributed: "database" as const } : {}),
    record: { source: ["mercato.catalog"] },
  });
  const { authority } = started;
  if (!authority) throw new Error("the catalog host signs its own tokens");
  return {
    host: started.host,
    authority,
    adminToken: await authority.token({ roles: ["admin"] }),
    customerToken: await authority.token({ roles: ["customer"] }),
    events: started.events,
    close: started.close,
  };
}

export { waitFor } from "@mercato/platform/testing";
