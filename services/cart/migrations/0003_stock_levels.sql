-- What inventory last said each sku has available, from its StockLevelChanged events, so that a
-- cart line can show it and flag a quantity beyond it. Keyed by sku (inventory's key): a level
-- may arrive before the product it belongs to. The (time, id) of the event that set it keeps an
-- older event arriving late from overwriting a newer one.
CREATE TABLE stock_levels (
  sku text PRIMARY KEY,
  available integer NOT NULL CHECK (available >= 0),
  event_time timestamptz NOT NULL,
  event_id text NOT NULL
);
