import type { Generated } from "kysely";
import type { Migration } from "../db/migrations.ts";

/** The platform's own tables in every service schema: the outbox and the inbox. */
export interface MessagingTables {
  outbox: { seq: Generated<number>; event: unknown; created_at: Generated<Date> };
  inbox: { consumer: string; event_id: string; processed_at: Generated<Date> };
}

export const messagingMigrations: Migration[] = [
  {
    name: "platform_0001_outbox_inbox",
    sql: `
      CREATE TABLE outbox (
        seq bigserial PRIMARY KEY,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      );
      CREATE INDEX inbox_processed_at ON inbox (processed_at);
    `,
  },
];

/** The NOTIFY channel that wakes a service's relay when its outbox gets rows. */
export function outboxChannel(schema: string): string {
  return `mercato_outbox_${schema}`;
}
