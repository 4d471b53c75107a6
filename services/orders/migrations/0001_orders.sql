-- The source of truth: every order is its stream of events. (order_id, version) is unique, so two
-- writers that loaded the same version cannot both append.
CREATE TABLE order_events (
  order_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  type text NOT NULL,
  detail jsonb NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (order_id, version)
);

-- The order view, a projection of the stream written in the same transaction as the events.
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  status text NOT NULL,
  status_reason text,
  items jsonb NOT NULL,
  total bigint NOT NULL,
  currency text NOT NULL,
  shipping_address jsonb NOT NULL,
  carrier text,
  tracking_number text,
  version integer NOT NULL,
  -- When the saga gives up waiting for the payment answer (null unless one is awaited).
  payment_deadline timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_by_time ON orders (created_at DESC, id DESC);
CREATE INDEX orders_awaiting_payment ON orders (payment_deadline) WHERE payment_deadline IS NOT NULL;

-- The returns view, also a projection of the order streams.
CREATE TABLE returns (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id),
  user_id text NOT NULL,
  status text NOT NULL,
  items jsonb NOT NULL,
  reason text NOT NULL,
  refund_amount bigint NOT NULL,
  currency text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE INDEX returns_by_order ON returns (order_id);

-- The first answer to each Idempotency-Key of a user, with a hash of the request it answered.
CREATE TABLE idempotency_keys (
  user_id text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
