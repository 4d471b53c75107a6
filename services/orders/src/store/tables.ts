import type { ColumnType, Generated, Transaction } from "kysely";

/** jsonb: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;
type Amount = ColumnType<number | string, number, number>;

export interface OrderEventsTable {
  order_id: string;
  version: number;
  type: string;
  detail: Json<unknown>;
  at: Date;
}

export interface OrdersTable {
  id: string;
  user_id: string;
  status: string;
  status_reason: string | null;
  items: Json<unknown>;
  total: Amount;
  currency: string;
  shipping_address: Json<unknown>;
  cart_version: string | null;
  carrier: string | null;
  tracking_number: string | null;
  version: number;
  payment_deadline: Date | null;
  shortages: ColumnType<unknown, string | undefined, string>;
  created_at: Date;
  updated_at: Date;
}

export interface ReturnsTable {
  id: string;
  order_id: string;
  user_id: string;
  status: string;
  items: Json<unknown>;
  reason: string;
  refund_amount: Amount;
  currency: string;
  created_at: Date;
  updated_at: Date;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: Json<unknown>;
  created_at: Generated<Date>;
}

export interface PaymentTokensTable {
  order_id: string;
  sealed_token: string;
}

export interface OrdersTables {
  order_events: OrderEventsTable;
  orders: OrdersTable;
  returns: ReturnsTable;
  idempotency_keys: IdempotencyKeysTable;
  payment_tokens: PaymentTokensTable;
}

/** The transaction a change is written in; here beside the tables, so the stores need not import each other for it. */
export type Writer = Transaction<OrdersTables>;
