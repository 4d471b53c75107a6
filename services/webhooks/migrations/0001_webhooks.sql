-- Webhook subscriptions: where to POST, what to send, and the signing secret sealed with the
-- platform's key (it must be read again to sign every delivery, so it cannot be hashed).
CREATE TABLE webhooks (
  id text PRIMARY KEY,
  url text NOT NULL,
  event_pattern jsonb NOT NULL,
  description text,
  enabled boolean NOT NULL DEFAULT true,
  sealed_secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per attempt to deliver an event to a webhook, kept for the delivery log; ids are
-- UUIDv7, so ordering by id is ordering by time.
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  webhook_id text NOT NULL,
  event_id text NOT NULL,
  attempt integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  response_status integer,
  error text,
  duration_ms integer NOT NULL
);

CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (webhook_id, id DESC);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (webhook_id, event_id);
CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at);
