-- One payment per order: the unique order_id is what makes a redelivered or repeated payment
-- request find the existing payment instead of charging again. The customer's payment token is
-- never stored; token_fingerprint (SHA-256, hex) only tells whether two requests used the same one.
CREATE TABLE payments (
  id text PRIMARY KEY,
  order_id text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('authorizing', 'authorized', 'declined', 'captured', 'refunded', 'voided')),
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  provider_reference text,
  token_fingerprint text,
  decline_reason text,
  -- Provider calls that led to the recorded authorization outcome (retries of transient failures included).
  authorization_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
