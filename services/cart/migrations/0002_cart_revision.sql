-- A cart's revision counts the changes to its lines. Orders places one order per cart version
-- (revision and lines), so the revision must move with every change, whatever code path makes it:
-- the triggers below bump it in the statement's own transaction, for every cart the statement
-- touched. The row is never deleted, so a revision is never handed out twice for one cart; a cart
-- with no row has revision 0.
CREATE TABLE carts (
  cart_id text PRIMARY KEY,
  revision bigint NOT NULL CHECK (revision >= 1),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Statement-level, with the touched rows as a transition table: a product deleted from a thousand
-- carts bumps each of them once. Carts are locked in cart_id order so that two such statements
-- never deadlock. `search_path FROM CURRENT` pins the function to this schema.
CREATE FUNCTION bump_cart_revisions() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO carts AS existing (cart_id, revision)
  SELECT DISTINCT cart_id, 1 FROM touched ORDER BY cart_id
  ON CONFLICT (cart_id) DO UPDATE SET revision = existing.revision + 1, updated_at = now();
  RETURN NULL;
END
$$;

CREATE TRIGGER cart_items_inserted AFTER INSERT ON cart_items
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION bump_cart_revisions();
CREATE TRIGGER cart_items_updated AFTER UPDATE ON cart_items
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION bump_cart_revisions();
CREATE TRIGGER cart_items_deleted AFTER DELETE ON cart_items
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION bump_cart_revisions();

-- Carts that already have lines start at revision 1.
INSERT INTO carts (cart_id, revision) SELECT DISTINCT cart_id, 1 FROM cart_items;
