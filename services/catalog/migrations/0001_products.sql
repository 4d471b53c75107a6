-- In the embedded topology every service's schema shares one database and `public` is on every
-- search_path, so the extension goes there: any service that uses it sees its functions.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE products (
  id text PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  category text NOT NULL,
  price_amount bigint NOT NULL CHECK (price_amount >= 0),
  price_currency text NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  images jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', name), 'A')
    || setweight(to_tsvector('english', category), 'B')
    || setweight(to_tsvector('english', description), 'C')
  ) STORED
);

CREATE INDEX products_search_idx ON products USING gin (search);
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_category_idx ON products (category);
CREATE INDEX products_price_idx ON products (price_amount, id);
CREATE INDEX products_newest_idx ON products (created_at, id);

-- Availability as inventory last announced it, one row per sku, kept even before the product
-- exists so that a level arriving first is not lost.
CREATE TABLE stock_levels (
  sku text PRIMARY KEY,
  available integer NOT NULL,
  in_stock boolean NOT NULL,
  level_time timestamptz NOT NULL
);
