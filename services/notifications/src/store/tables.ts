import type { ColumnType, Generated } from "kysely";

/** bigint columns: written as numbers, read back as numbers or strings depending on the engine. */
type BigintColumn = ColumnType<number | string, number, number>;

export interface CustomersTable {
  user_id: string;
  email: string;
  name: string;
}

export interface OrderCustomersTable {
  order_id: string;
  user_id: string;
}

export interface ProductsTable {
  product_id: string;
  sku: string;
  name: string;
  currency: string;
  deleted: Generated<boolean>;
  event_time: Date;
  event_id: string;
}

export interface NotificationsTable {
  id: string;
  seq: ColumnType<number | string, never, never>;
  user_id: string;
  type: string;
  title: string;
  body: string;
  link: string;
  source_event_id: string;
  created_at: Generated<Date>;
  read_at: ColumnType<Date | null, never, Date>;
}

export interface WatchesTable {
  id: string;
  user_id: string;
  product_id: string;
  kind: string;
  target_amount: BigintColumn | null;
  target_currency: string | null;
  created_at: Generated<Date>;
  fired_at: ColumnType<Date | null, never, Date>;
}

export interface EmailDeliveriesTable {
  notification_id: string;
  status: Generated<"pending" | "sent" | "failed">;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  sent_at: Date | null;
}

export interface NotificationsTables {
  customers: CustomersTable;
  order_customers: OrderCustomersTable;
  products: ProductsTable;
  notifications: NotificationsTable;
  watches: WatchesTable;
  email_deliveries: EmailDeliveriesTable;
}
