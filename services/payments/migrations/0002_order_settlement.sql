-- The saga's later steps: capture, void, refunds of cancellations and returns, and tombstones.
--
-- 'cancelled' is a tombstone: the order was rejected or cancelled before payments heard of its
-- payment request, so a request that still arrives finds this row (order_id is unique) and asks
-- the provider nothing. No amount was ever named: it holds 0 in 'XXX', ISO 4217's "no currency".
-- 'partially_refunded': some of the captured amount went back (returns); 'refunded': all of it.
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
  CHECK (status IN ('authorizing', 'authorized', 'declined', 'captured', 'partially_refunded', 'refunded', 'voided', 'cancelled'));

-- The sum of the refunds below; the CHECK is the backstop of "never refund more than was captured".
ALTER TABLE payments ADD COLUMN refunded_amount bigint NOT NULL DEFAULT 0;
ALTER TABLE payments ADD CONSTRAINT payments_refunded_amount_check
  CHECK (refunded_amount >= 0 AND refunded_amount <= amount);

-- One refund per return (id = the return id) and one for a cancellation (id = 'cancellation'),
-- in the payment's currency. The primary key makes a repeated return refund nothing.
CREATE TABLE refunds (
  payment_id text NOT NULL REFERENCES payments (id),
  id text NOT NULL,
  order_id text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (payment_id, id)
);
