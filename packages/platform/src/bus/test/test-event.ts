import type { EventEnvelope } from "@mercato/contracts";
import { v7 as uuidv7 } from "uuid";

/** An envelope of any source and type, for transport tests that need no declared event. */
export function event(source: string, detailType: string, detail: Record<string, unknown>): EventEnvelope {
  return {
    version: "0",
    id: uuidv7(),
    "detail-type": detailType,
    source,
    account: "000000000000",
    time: new Date().toISOString(),
    region: "local",
    resources: [],
    detail,
    metadata: { "correlation-id": uuidv7() },
  };
}
