import type { Money } from "@mercato/contracts";

export type AttributeValue = string | number | boolean;

export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  price: Money;
  attributes: Record<string, AttributeValue>;
  images: string[];
  inStock: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What an admin sets; images come from uploads and inStock from inventory. */
export type ProductFields = Pick<
  Product,
  "sku" | "name" | "description" | "category" | "price" | "attributes"
>;

export type ProductField = keyof ProductFields | "images" | "inStock";

const comparedFields: ProductField[] = [
  "sku",
  "name",
  "description",
  "category",
  "price",
  "attributes",
  "images",
  "inStock",
];

/** The fields whose values differ between two versions of a product, in a fixed order. */
export function changedFields(before: Product, after: Product): ProductField[] {
  return comparedFields.filter((field) => !sameValue(before[field], after[field]));
}

export function samePrice(a: Money, b: Money): boolean {
  return a.amount === b.amount && a.currency === b.currency;
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so that attribute order does not count as a change. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** The product as the catalog's events carry it. */
export function productEventDetail(product: Product) {
  return {
    productId: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    category: product.category,
    price: product.price,
    attributes: product.attributes,
    images: product.images,
    inStock: product.inStock,
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids the catalog hands out are lowercase UUIDs; anything else names no product or image. */
export function isCatalogId(id: string): boolean {
  return uuidPattern.test(id);
}
