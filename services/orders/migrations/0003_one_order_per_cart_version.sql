-- The cart version an order was checked out from (see src/domain/cart-version.ts); null for orders
-- placed before versions were kept.
ALTER TABLE orders ADD COLUMN cart_version text;

-- One live order per cart version and user: a second checkout of the same cart, concurrent or
-- later, fails here and answers with the first order, whatever its Idempotency-Key. A rejected or
-- cancelled order leaves the index (its cart was not emptied), so the same cart can be checked out
-- again. The list of ended statuses is also in src/store/cart-versions.ts.
CREATE UNIQUE INDEX orders_one_per_cart_version ON orders (user_id, cart_version)
  WHERE status NOT IN ('rejected', 'cancelled');
