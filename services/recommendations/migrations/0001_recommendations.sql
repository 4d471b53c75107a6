-- Every score below is "forward decayed" (see src/domain/decay.ts): a piece of evidence seen at
-- time t adds 2^((t - 2025-01-01) / half-life) instead of 1, so that old evidence fades without
-- ever rewriting a row. Dividing by the same weight of "now" gives today's decayed count.

-- The products recommendations may show, kept from catalog events, with how popular each is.
-- The fields carry the (time, id) of the catalog event that last set them, so a late, older event
-- never overwrites a newer one; a row may exist before its fields (a view or an order counted
-- before ProductCreated arrived) and is not shown until they are known. `deleted` never goes back
-- to false: product ids are never reused. `in_stock` follows inventory's StockLevelChanged for
-- the row's sku (stock_levels), or the catalog's own flag while inventory said nothing about it.
CREATE TABLE products (
  product_id text PRIMARY KEY,
  sku text,
  name text,
  image text,
  price_amount bigint,
  price_currency text,
  version_time timestamptz,
  version_id text,
  in_stock boolean NOT NULL DEFAULT false,
  deleted boolean NOT NULL DEFAULT false,
  popularity double precision NOT NULL DEFAULT 0,
  sellable boolean GENERATED ALWAYS AS (
    in_stock AND NOT deleted AND name IS NOT NULL AND price_amount IS NOT NULL
  ) STORED
);

CREATE INDEX products_by_sku ON products (sku);
-- `popular`: the most popular sellable products, read from the top of this index.
CREATE INDEX products_popular ON products (popularity DESC) WHERE sellable;

-- What inventory last said each sku has available, kept even before the product is known.
CREATE TABLE stock_levels (
  sku text PRIMARY KEY,
  available integer NOT NULL,
  event_time timestamptz NOT NULL,
  event_id text NOT NULL
);

-- Directed pairs "people who took product_id also took neighbour_id": `bought` counts orders
-- holding both, `viewed` viewing sessions holding both, `score` = 3 * bought + viewed. Both
-- directions are stored so that one index range answers a product's neighbours; the pruning task
-- keeps the best MERCATO_RECOMMENDATIONS_NEIGHBOURS of each product.
CREATE TABLE neighbours (
  product_id text NOT NULL,
  neighbour_id text NOT NULL,
  bought double precision NOT NULL DEFAULT 0,
  viewed double precision NOT NULL DEFAULT 0,
  score double precision NOT NULL,
  PRIMARY KEY (product_id, neighbour_id)
);

CREATE INDEX neighbours_best ON neighbours (product_id, score DESC);

-- Each viewer's views of the last 30 minutes (at most 10 distinct products are looked at), the
-- window in which two viewed products count as viewed together. `viewer` is `user:<id>` or
-- `session:<id>`. Rows older than the window are pruned.
CREATE TABLE recent_views (
  viewer text NOT NULL,
  product_id text NOT NULL,
  viewed_at timestamptz NOT NULL,
  PRIMARY KEY (viewer, product_id)
);

CREATE INDEX recent_views_latest ON recent_views (viewer, viewed_at DESC);

-- What each signed-in user looked at, put in their cart or bought, with a decayed affinity
-- (view 1, cart add 3, purchase 5); the pruning task keeps the latest
-- MERCATO_RECOMMENDATIONS_USER_HISTORY products of each user.
CREATE TABLE user_items (
  user_id text NOT NULL,
  product_id text NOT NULL,
  affinity double precision NOT NULL,
  carted boolean NOT NULL DEFAULT false,
  bought boolean NOT NULL DEFAULT false,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, product_id)
);

CREATE INDEX user_items_latest ON user_items (user_id, last_at DESC);
