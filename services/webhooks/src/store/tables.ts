import type { Generated } from "kysely";

export interface WebhooksTables {
  webhooks: {
    id: string;
    url: string;
    event_pattern: unknown;
    description: string | null;
    enabled: boolean;
    sealed_secret: string;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  webhook_deliveries: {
    id: string;
    webhook_id: string;
    event_id: string;
    attempt: number;
    at: Generated<Date>;
    response_status: number | null;
    error: string | null;
    duration_ms: number;
  };
}
