-- The skus an order rejected out_of_stock was short of, sku by sku ({ sku, requested, available }),
-- projected from the stream like the rest of the view.
ALTER TABLE orders ADD COLUMN shortages jsonb NOT NULL DEFAULT '[]';

-- Orders rejected before this column: their stream names the short skus only, so each gets what
-- the order asked of it and an unknown `available`, as replaying the stream gives
-- (shortagesOf in src/domain/order.ts).
UPDATE orders SET shortages = (
  SELECT coalesce(jsonb_agg(jsonb_build_object(
    'sku', short.sku,
    'requested', (
      SELECT coalesce(sum((item ->> 'quantity')::int), 0)
      FROM jsonb_array_elements(orders.items) AS item
      WHERE item ->> 'sku' = short.sku
    ),
    'available', NULL
  ) ORDER BY short.position), '[]'::jsonb)
  FROM order_events AS failure,
    jsonb_array_elements_text(failure.detail -> 'shortSkus') WITH ORDINALITY AS short (sku, position)
  WHERE failure.order_id = orders.id AND failure.type = 'StockReservationFailed'
)
WHERE status = 'rejected' AND status_reason = 'out_of_stock';
