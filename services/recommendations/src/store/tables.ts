import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface ProductsTable {
  product_id: string;
  sku: string | null;
  name: string | null;
  image: string | null;
  price_amount: ColumnType<number | null, number | null, number | null>;
  price_currency: string | null;
  version_time: Timestamp | null;
  version_id: string | null;
  in_stock: Generated<boolean>;
  deleted: Generated<boolean>;
  popularity: Generated<number>;
  sellable: ColumnType<boolean, never, never>;
}

export interface StockLevelsTable {
  sku: string;
  available: number;
  event_time: Timestamp;
  event_id: string;
}

export interface NeighboursTable {
  product_id: string;
  neighbour_id: string;
  bought: Generated<number>;
  viewed: Generated<number>;
  score: number;
}

export interface RecentViewsTable {
  viewer: string;
  product_id: string;
  viewed_at: Timestamp;
}

export interface UserItemsTable {
  user_id: string;
  product_id: string;
  affinity: number;
  carted: Generated<boolean>;
  bought: Generated<boolean>;
  last_at: Timestamp;
}

export interface RecommendationsTables {
  products: ProductsTable;
  stock_levels: StockLevelsTable;
  neighbours: NeighboursTable;
  recent_views: RecentViewsTable;
  user_items: UserItemsTable;
}
