import type { ExternalEventType } from "../external-event-type.ts";
import * as marketplace from "./marketplace.ts";

export * from "./marketplace.ts";

/** Every event type Mercato acts on when other systems send it, for ingestion's checks and the catalog. */
export const allExternalEventTypes: ExternalEventType<unknown>[] = [...Object.values(marketplace)];
