import type { ColumnType, Generated, GeneratedAlways } from "kysely";
import type { MarketplaceOrderStatus, MarketplaceRejection } from "../domain/marketplace-orders.ts";
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
  channel: string;
  return_id: string | null;
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

export interface MarketplaceOrderTable {
  channel: string;
  external_order_id: string;
  status: MarketplaceOrderStatus;
  // jsonb: written as JSON text, read back parsed.
  lines: ColumnType<StockLine[], string, string>;
  rejection: MarketplaceRejection | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface MarketplaceReturnTable {
  channel: string;
  return_id: string;
  external_order_id: string;
  lines: ColumnType<StockLine[], string, string>;
  received_at: Generated<Date>;
}

export interface StockLevelUpdateTable {
  sku: string;
  as_of: Date;
  source: string;
}

export interface InventoryTables {
  stock: StockTable;
  stock_ledger: StockLedgerTable;
  reservations: ReservationTable;
  received_returns: ReceivedReturnTable;
  marketplace_orders: MarketplaceOrderTable;
  marketplace_returns: MarketplaceReturnTable;
  stock_level_updates: StockLevelUpdateTable;
}
