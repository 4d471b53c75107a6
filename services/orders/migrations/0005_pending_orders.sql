-- The oldest order still pending, read at every metrics scrape and alert evaluation
-- (mercato_orders_pending_oldest_age_seconds): a small index of the few orders mid-saga.
CREATE INDEX orders_pending ON orders (created_at) WHERE status = 'pending';
