import type { Generated } from "kysely";

export interface EventLogTables {
  event_log: {
    id: string;
    source: string;
    detail_type: string;
    correlation_id: string;
    time: Date;
    event: unknown;
    received_at: Generated<Date>;
    seq: Generated<number>;
  };
}
