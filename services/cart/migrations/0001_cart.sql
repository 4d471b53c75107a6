-- The cart's own copy of what it needs from the catalog, kept up to date by catalog events.
-- Product fields and the price carry the (time, id) of the event that last set them, so that an
-- older event arriving late never overwrites a newer one. A row may know only its price (a
-- PriceChanged that overtook ProductCreated) until the fields arrive; it is not sellable until both
-- are known. `deleted` never goes back to false: product ids are never reused.
CREATE TABLE product_replica (
  product_id text PRIMARY KEY,
  sku text,
  name text,
  fields_event_time timestamptz,
  fields_event_id text,
  price_amount bigint,
  price_currency text,
  price_event_time timestamptz,
  price_event_id text,
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One cart per user: cart_id is derived from the user id (see src/domain/cart-id.ts).
CREATE TABLE cart_items (
  cart_id text NOT NULL,
  product_id text NOT NULL,
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
  added_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cart_id, product_id)
);

CREATE INDEX cart_items_by_product ON cart_items (product_id);
