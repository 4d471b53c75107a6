import type { ColumnType } from "kysely";

export type ProductAttributes = Record<string, string | number | boolean>;

type Json<T> = ColumnType<T, string, string>;

export interface ProductsTable {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  price_amount: number;
  price_currency: string;
  attributes: Json<ProductAttributes>;
  images: Json<string[]>;
  created_at: Date;
  updated_at: Date;
  search: ColumnType<string, never, never>;
}

export interface StockLevelsTable {
  sku: string;
  available: number;
  in_stock: boolean;
  level_time: Date;
}

export interface CatalogTables {
  products: ProductsTable;
  stock_levels: StockLevelsTable;
}
