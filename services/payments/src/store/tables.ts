import type { Generated } from "kysely";
import type { PaymentStatus } from "../domain/payment.ts";

export interface PaymentsTable {
  id: string;
  order_id: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  refunded_amount: Generated<number>;
  provider_reference: string | null;
  token_fingerprint: string | null;
  decline_reason: string | null;
  authorization_attempts: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One refund of a payment: `id` is the return's id, or "cancellation". */
export interface RefundsTable {
  payment_id: string;
  id: string;
  order_id: string;
  amount: number;
  created_at: Generated<Date>;
}

export interface PaymentsTables {
  payments: PaymentsTable;
  refunds: RefundsTable;
}
