import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface ProductReplicaTable {
  product_id: string;
  sku: string | null;
  name: string | null;
  fields_event_time: Timestamp | null;
  fields_event_id: string | null;
  price_amount: number | null;
  price_currency: string | null;
  price_event_time: Timestamp | null;
  price_event_id: string | null;
  deleted: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface CartItemsTable {
  cart_id: string;
  product_id: string;
  quantity: number;
  added_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Written only by the triggers of migration 0002: every change to a cart's lines bumps its revision. */
export interface CartsTable {
  cart_id: string;
  revision: number;
  updated_at: Generated<Date>;
}

export interface StockLevelsTable {
  sku: string;
  available: number;
  event_time: Timestamp;
  event_id: string;
}

export interface CartTables {
  product_replica: ProductReplicaTable;
  cart_items: CartItemsTable;
  carts: CartsTable;
  stock_levels: StockLevelsTable;
}
