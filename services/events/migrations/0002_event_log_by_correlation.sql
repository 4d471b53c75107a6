-- Each event's correlation id (metadata.correlation-id), so that the log answers "everything that
-- happened because of this request" (GET /api/ops/events?correlationId=) from an index.
ALTER TABLE event_log ADD COLUMN correlation_id text;
UPDATE event_log SET correlation_id = event -> 'metadata' ->> 'correlation-id';
ALTER TABLE event_log ALTER COLUMN correlation_id SET NOT NULL;

CREATE INDEX event_log_by_correlation ON event_log (correlation_id, seq DESC);
