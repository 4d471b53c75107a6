import type { ColumnType, Generated, GeneratedAlways } from "kysely";
import type { ReservationStatus, StockLedgerKind, StockLine } from "../domain/stock.ts";

export interface StockTable {
  sku: string;
  on_hand: number;
  reserved: Generated<number>;
  available: GeneratedAlways<number>;
  updated_at: Generated<Date>;
}

export interface StockLedgerTable {
  id: GeneratedAlways<number>;
  sku: string;
  kind: StockLedgerKind;
  on_hand_delta: number;
  reserved_delta: number;
  order_id: string | null;
  at: Generated<Date>;
}

export interface ReservationTable {
  id: string;
  status: ReservationStatus;
  // jsonb: written as JSON text, read back parsed.
  lines: ColumnType<StockLine[], string, string>;
  short_skus: ColumnType<string[], string | undefined, string>;
  expires_at: Date;
  correlation_id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ReceivedReturnTable {
  return_id: string;
  order_id: string;
  // jsonb: written as JSON text, read back parsed.
  lines: ColumnType<StockLine[], string, string>;
  received_at: Generated<Date>;
}

export interface InventoryTables {
  stock: StockTable;
  stock_ledger: StockLedgerTable;
  reservations: ReservationTable;
  received_returns: ReceivedReturnTable;
}
