-- The customer's sealed payment token, kept apart from the order's stream (which is kept for
-- good) and deleted in the transaction that sends it to payments or ends the order.
CREATE TABLE payment_tokens (
  order_id uuid PRIMARY KEY,
  sealed_token text NOT NULL
);
