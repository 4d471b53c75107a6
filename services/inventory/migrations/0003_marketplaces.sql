-- Every channel sells from the one stock (api.md, "Events in: marketplaces and sellers").

-- A marketplace order takes units straight off on hand (the channel already sold them): ledger kind
-- `marketplace-order`. Each ledger row names its channel: `web` for Mercato's own orders and
-- returns, `admin` for PUT /api/inventory, the marketplace's channel, or the source of a seller's
-- level feed. `order_id` holds Mercato's order id or the channel's externalOrderId.
ALTER TABLE stock_ledger DROP CONSTRAINT stock_ledger_kind_check;
ALTER TABLE stock_ledger ADD CONSTRAINT stock_ledger_kind_check
  CHECK (kind IN ('restock', 'adjust', 'reserve', 'release', 'commit', 'return', 'cancel', 'marketplace-order'));
ALTER TABLE stock_ledger ADD COLUMN channel text NOT NULL DEFAULT 'web';
ALTER TABLE stock_ledger ADD COLUMN return_id text;
UPDATE stock_ledger SET channel = 'admin' WHERE kind IN ('restock', 'adjust');
ALTER TABLE stock_ledger ALTER COLUMN channel DROP DEFAULT;

-- One row per channel and external order, written before any unit moves, so the same order sent
-- again finds it and takes nothing. `cancelled` with no lines is a tombstone: the cancellation came
-- first, and the order arriving after it takes nothing.
CREATE TABLE marketplace_orders (
  channel text NOT NULL,
  external_order_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('accepted', 'rejected', 'cancelled')),
  lines jsonb NOT NULL,
  rejection text CHECK (rejection IN ('out_of_stock', 'unknown_sku')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, external_order_id)
);

-- One row per channel and return whose units went back on hand.
CREATE TABLE marketplace_returns (
  channel text NOT NULL,
  return_id text NOT NULL,
  external_order_id text NOT NULL,
  lines jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, return_id)
);

-- The asOf of the last level a seller or marketplace set for a sku: an older one is stale. Written
-- before the stock row is touched (the sku may be new), with a conditional upsert that is the lock.
CREATE TABLE stock_level_updates (
  sku text PRIMARY KEY,
  as_of timestamptz NOT NULL,
  source text NOT NULL
);
