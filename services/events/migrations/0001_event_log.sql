-- Every event the bus routed, newest first for the operations API; pruned by age.
CREATE TABLE event_log (
  id text PRIMARY KEY,
  source text NOT NULL,
  detail_type text NOT NULL,
  time timestamptz NOT NULL,
  event jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  seq bigserial NOT NULL
);

CREATE INDEX event_log_newest ON event_log (seq DESC);
CREATE INDEX event_log_by_source ON event_log (source, seq DESC);
CREATE INDEX event_log_by_type ON event_log (detail_type, seq DESC);
CREATE INDEX event_log_received_at ON event_log (received_at);
