-- Search matches `search @@ query OR name %> query`. The planner only combines the two indexes
-- (BitmapOr) when both look cheaper than reading the table, and its estimates for the GIN indexes
-- of 0001 never did, not even with 2,000 products, so every search ran word_similarity (about
-- 4 µs a name) on every row. GiST indexes are estimated, and run, cheaply from a few products to
-- tens of thousands; a wider trigram signature (256 bytes instead of 12) leaves fewer false
-- candidates to recheck.
DROP INDEX products_search_idx;
DROP INDEX products_name_trgm_idx;
CREATE INDEX products_search_idx ON products USING gist (search);
CREATE INDEX products_name_trgm_idx ON products USING gist (name gist_trgm_ops (siglen = 256));

-- The selectivity of a trigram operator is estimated by running it against the column's
-- histogram: with the default statistics target, about a hundred word_similarity calls while
-- planning every search, longer than running the search itself. Under ten histogram entries the
-- planner uses its default selectivity instead, which leads to the same plans.
ALTER TABLE products ALTER COLUMN name SET STATISTICS 5;
