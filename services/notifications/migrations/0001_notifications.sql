-- Where a customer's emails go, from identity's UserRegistered.
CREATE TABLE customers (
  user_id text PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL
);

-- Whose each order is, from orders' events: PaymentRefunded names only the order.
CREATE TABLE order_customers (
  order_id text PRIMARY KEY,
  user_id text NOT NULL
);

-- What watches need of the catalog: BackInStock names a sku, messages name the product, a target
-- price has the product's currency. (event_time, event_id) is the catalog event that last set
-- the row, so a late, older event changes nothing; a deleted product stays as a tombstone.
CREATE TABLE products (
  product_id text PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL,
  currency text NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  event_time timestamptz NOT NULL,
  event_id text NOT NULL
);

CREATE INDEX products_by_sku ON products (sku) WHERE NOT deleted;

-- Every user's inbox. `seq` orders notifications as they committed (writers take a lock first, see
-- store/notifications.ts), so paging and the stream's Last-Event-ID resume follow it, never time.
-- One notification per user and source event, however often the event is delivered.
CREATE TABLE notifications (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  user_id text NOT NULL,
  type text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  link text NOT NULL,
  source_event_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  UNIQUE (user_id, source_event_id)
);

CREATE INDEX notifications_by_user ON notifications (user_id, seq);
CREATE INDEX notifications_unread ON notifications (user_id, seq) WHERE read_at IS NULL;

-- A user's price-drop and back-in-stock watches; fired_at is set once, by the event that fires it.
CREATE TABLE watches (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  product_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('price-drop', 'back-in-stock')),
  target_amount bigint,
  target_currency text,
  created_at timestamptz NOT NULL DEFAULT now(),
  fired_at timestamptz,
  UNIQUE (user_id, product_id, kind),
  CHECK ((target_amount IS NULL) = (target_currency IS NULL))
);

CREATE INDEX watches_by_user ON watches (user_id, id);
CREATE INDEX watches_armed ON watches (product_id, kind) WHERE fired_at IS NULL;

-- The email of each notification, written in the notification's transaction and sent later by
-- the mail delivery task, outside any transaction: a slow or down mail server delays emails only.
CREATE TABLE email_deliveries (
  notification_id text PRIMARY KEY REFERENCES notifications (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  sent_at timestamptz
);

CREATE INDEX email_deliveries_due ON email_deliveries (next_attempt_at) WHERE status = 'pending';
