-- A committed order that is cancelled puts its units back on hand (ledger kind `cancel`) and its
-- reservation becomes `restocked`, so that a second cancellation finds nothing left to undo.
ALTER TABLE stock_ledger DROP CONSTRAINT stock_ledger_kind_check;
ALTER TABLE stock_ledger ADD CONSTRAINT stock_ledger_kind_check
  CHECK (kind IN ('restock', 'adjust', 'reserve', 'release', 'commit', 'return', 'cancel'));

ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
  CHECK (status IN ('active', 'committed', 'released', 'expired', 'failed', 'restocked'));

-- One row per return whose units went back on hand: the same ReturnReceived, or a second event for
-- the same return, finds its row and restocks nothing.
CREATE TABLE received_returns (
  return_id text PRIMARY KEY,
  order_id text NOT NULL,
  lines jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
