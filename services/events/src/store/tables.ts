import type { Generated } from "kysely";

export interface EventLogTable {
  id: string;
  source: string;
  detail_type: string;
  correlation_id: string;
  time: Date;
  event: unknown;
  received_at: Generated<Date>;
  seq: Generated<number>;
}

export interface ApiKeyTable {
  id: string;
  name: string;
  key_fingerprint: string;
  access_key_fingerprint: string;
  sealed_secret: string;
  created_at: Generated<Date>;
}

export interface SeenSignatureTable {
  signature: string;
  expires_at: Date;
}

export interface EventsTables {
  event_log: EventLogTable;
  api_keys: ApiKeyTable;
  seen_signatures: SeenSignatureTable;
}

/** The event log's code names the service's tables so. */
export type EventLogTables = EventsTables;
