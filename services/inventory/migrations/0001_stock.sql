-- Stock per sku. `available` is derived, never written; the CHECK is the backstop that makes an
-- oversell fail even if a query forgot its condition.
CREATE TABLE stock (
  sku text PRIMARY KEY,
  on_hand integer NOT NULL,
  reserved integer NOT NULL DEFAULT 0,
  available integer GENERATED ALWAYS AS (on_hand - reserved) STORED,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stock_levels_valid CHECK (on_hand >= 0 AND reserved >= 0 AND on_hand - reserved >= 0)
);

-- Every movement of stock: summing the deltas of a sku gives its on_hand and reserved.
CREATE TABLE stock_ledger (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku text NOT NULL REFERENCES stock (sku),
  kind text NOT NULL CHECK (kind IN ('restock', 'adjust', 'reserve', 'release', 'commit', 'return')),
  on_hand_delta integer NOT NULL,
  reserved_delta integer NOT NULL,
  -- The order, which is also the reservation's id; null for restocks and adjustments.
  order_id text,
  at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX stock_ledger_by_sku ON stock_ledger (sku, id);
CREATE INDEX stock_ledger_by_order ON stock_ledger (order_id) WHERE order_id IS NOT NULL;

-- One reservation per order. A refused one is kept as `failed` so that asking again answers the same.
CREATE TABLE reservations (
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('active', 'committed', 'released', 'expired', 'failed')),
  lines jsonb NOT NULL,
  short_skus jsonb NOT NULL DEFAULT '[]',
  expires_at timestamptz NOT NULL,
  correlation_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX reservations_active_by_expiry ON reservations (expires_at) WHERE status = 'active';
