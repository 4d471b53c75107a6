import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { Product, ProductFields } from "../domain/product.ts";
import type { ProductSearch } from "../domain/product-search.ts";
import type { CatalogTables, ProductsTable } from "./tables.ts";

type Reader = Kysely<CatalogTables> | Transaction<CatalogTables>;
type ProductRow = Omit<Selectable<ProductsTable>, "search"> & { in_stock: boolean | null };

const UNIQUE_VIOLATION = "23505";

/** True when `error` is the database refusing a second product with the same sku. */
export function isSkuTaken(error: unknown): boolean {
  const { code, constraint, message } = error as { code?: string; constraint?: string; message?: string };
  return (
    code === UNIQUE_VIOLATION &&
    (constraint === "products_sku_key" || (message ?? "").includes("products_sku_key"))
  );
}

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    price: { amount: Number(row.price_amount), currency: row.price_currency },
    attributes: row.attributes,
    images: row.images,
    inStock: row.in_stock ?? false,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Availability is a subquery rather than a join: the planner has one table less to plan for, and
 * under a sort with a limit it looks availability up for the returned rows only.
 */
function selectProducts(db: Reader) {
  return db
    .selectFrom("products")
    .select((eb) => [
      "products.id",
      "products.sku",
      "products.name",
      "products.description",
      "products.category",
      "products.price_amount",
      "products.price_currency",
      "products.attributes",
      "products.images",
      "products.created_at",
      "products.updated_at",
      eb
        .selectFrom("stock_levels")
        .select("stock_levels.in_stock")
        .whereRef("stock_levels.sku", "=", "products.sku")
        .as("in_stock"),
    ]);
}

export async function findProduct(db: Reader, id: string): Promise<Product | undefined> {
  const row = await selectProducts(db).where("products.id", "=", id).executeTakeFirst();
  return row && toProduct(row);
}

/** The product, locked until `transaction` ends, so that concurrent changes apply one after another. */
export async function lockProduct(transaction: Transaction<CatalogTables>, id: string) {
  const row = await selectProducts(transaction)
    .where("products.id", "=", id)
    .forUpdate("products")
    .executeTakeFirst();
  return row && toProduct(row);
}

/** The columns of the fields an admin sets. */
function fieldColumns(fields: ProductFields) {
  return {
    sku: fields.sku,
    name: fields.name,
    description: fields.description,
    category: fields.category,
    price_amount: fields.price.amount,
    price_currency: fields.price.currency,
    attributes: JSON.stringify(fields.attributes),
  };
}

/** Inserts the product; inStock is whatever inventory already said about its sku. */
export async function insertProduct(
  transaction: Transaction<CatalogTables>,
  product: ProductFields & { id: string; createdAt: Date },
): Promise<Product> {
  await transaction
    .insertInto("products")
    .values({
      ...fieldColumns(product),
      id: product.id,
      images: "[]",
      created_at: product.createdAt,
      updated_at: product.createdAt,
    })
    .execute();
  const created = await findProduct(transaction, product.id);
  if (!created) throw new Error(`Product ${product.id} vanished inside its own transaction`);
  return created;
}

export async function updateProduct(
  transaction: Transaction<CatalogTables>,
  product: Product,
): Promise<void> {
  await transaction
    .updateTable("products")
    .set({
      ...fieldColumns(product),
      images: JSON.stringify(product.images),
      updated_at: product.updatedAt,
    })
    .where("id", "=", product.id)
    .execute();
}

export async function deleteProduct(transaction: Transaction<CatalogTables>, id: string): Promise<void> {
  await transaction.deleteFrom("products").where("id", "=", id).execute();
}

/** Products of `sku` (at most one), for availability changes. */
export async function findProductBySku(db: Reader, sku: string): Promise<Product | undefined> {
  const row = await selectProducts(db).where("products.sku", "=", sku).executeTakeFirst();
  return row && toProduct(row);
}

/**
 * One page of a search, `limit + 1` rows so the caller knows whether another page follows.
 *
 * Words match through the full-text index (name, category, description, weighted A, B, C) or,
 * for typos, through trigram word similarity to the name; relevance adds both scores.
 */
export async function searchProducts(db: Reader, search: ProductSearch): Promise<Product[]> {
  const { q, after } = search;
  let query = selectProducts(db);
  if (q) {
    // `name %> q` rather than its mirror `q <% name`: written as the index condition is, the
    // planner knows the index recheck covers it and adds no filter running word_similarity again.
    query = query.where(
      sql<boolean>`(products.search @@ websearch_to_tsquery('english', ${q}) OR products.name %> ${q})`,
    );
  }
  if (search.category !== undefined) query = query.where("products.category", "=", search.category);
  if (search.minPrice !== undefined) query = query.where("products.price_amount", ">=", search.minPrice);
  if (search.maxPrice !== undefined) query = query.where("products.price_amount", "<=", search.maxPrice);

  switch (search.sort) {
    case "relevance": {
      const rank = sql<number>`ts_rank(products.search, websearch_to_tsquery('english', ${q ?? ""})) + word_similarity(${q ?? ""}, products.name)`;
      query = query.orderBy(rank, "desc").orderBy("products.id", "asc");
      if (after?.sort === "relevance") query = query.offset(after.offset);
      break;
    }
    case "price_asc":
      if (after?.sort === "price_asc") {
        query = query.where(
          sql<boolean>`(products.price_amount, products.id) > (${after.amount}, ${after.id})`,
        );
      }
      query = query.orderBy("products.price_amount", "asc").orderBy("products.id", "asc");
      break;
    case "price_desc":
      if (after?.sort === "price_desc") {
        query = query.where(
          sql<boolean>`(products.price_amount, products.id) < (${after.amount}, ${after.id})`,
        );
      }
      query = query.orderBy("products.price_amount", "desc").orderBy("products.id", "desc");
      break;
    case "newest":
      if (after?.sort === "newest") {
        query = query.where(
          sql<boolean>`(products.created_at, products.id) < (${new Date(after.createdAt)}::timestamptz, ${after.id})`,
        );
      }
      query = query.orderBy("products.created_at", "desc").orderBy("products.id", "desc");
      break;
  }
  const rows = await query.limit(search.limit + 1).execute();
  return rows.map(toProduct);
}

/** The categories list has no pages (api.md), so it is capped; a shop has tens of categories. */
export const maxCategories = 1000;

export async function countByCategory(db: Reader): Promise<{ name: string; count: number }[]> {
  return db
    .selectFrom("products")
    .select(["category as name", sql<number>`count(*)::int`.as("count")])
    .groupBy("category")
    .orderBy("category")
    .limit(maxCategories)
    .execute();
}
