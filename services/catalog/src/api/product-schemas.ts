import { cursorFields, listQuerySchema, listResponseSchema } from "@mercato/platform";
import { z } from "zod";
import type { Product } from "../domain/product.ts";
import { productSorts } from "../domain/product-search.ts";

const currencies = new Set(Intl.supportedValuesOf("currency"));

export const priceSchema = z
  .object({
    amount: z.number().int("must be a whole number of minor units").min(0).max(1_000_000_000_00),
    currency: z.string().refine((code) => currencies.has(code), "must be an ISO 4217 currency code like EUR"),
  })
  .strict();

const maxAttributes = 50;

const attributesSchema = z
  .record(
    z.string().min(1).max(64),
    z.union([z.string().max(500), z.number(), z.boolean()], {
      message: "must be a string (at most 500 characters), a number or a boolean",
    }),
  )
  .refine((attributes) => Object.keys(attributes).length <= maxAttributes, {
    message: `at most ${maxAttributes} attributes`,
  });

const createFields = {
  sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, '.', '_' or '-'"),
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(10_000),
  category: z.string().trim().min(1).max(100),
  price: priceSchema,
  attributes: attributesSchema,
};

export const createProductBody = z
  .object({
    ...createFields,
    description: createFields.description.default(""),
    attributes: createFields.attributes.default({}),
  })
  .strict();

export const updateProductBody = z
  .object({
    sku: createFields.sku.optional(),
    name: createFields.name.optional(),
    description: createFields.description.optional(),
    category: createFields.category.optional(),
    price: createFields.price.optional(),
    attributes: createFields.attributes.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, {
    message: "name at least one field to change",
    when: (payload) => payload.issues.length === 0,
  });

export const productIdParams = z.object({ id: z.string().max(100) });

export const productSchema = z
  .object({
    id: z.string(),
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    price: z.object({ amount: z.number().int(), currency: z.string() }),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    images: z.array(z.string()),
    inStock: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Product" });

/** A success answer with one product, described for its route. */
export function theProduct(description: string) {
  return { description, schema: productSchema };
}

/** A page of products: the list's and the search's answer. */
export const productPageSchema = listResponseSchema(productSchema);

export function productBody(product: Product): z.infer<typeof productSchema> {
  return {
    ...product,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}

const price = z.coerce.number().int("must be a whole number of minor units").min(0);

export const productListQuery = listQuerySchema
  .extend({
    q: z.string().trim().max(200).optional(),
    category: z.string().min(1).max(100).optional(),
    minPrice: price.optional(),
    maxPrice: price.optional(),
    sort: z.enum(productSorts).optional(),
  })
  .refine(
    (query) =>
      query.minPrice === undefined || query.maxPrice === undefined || query.minPrice <= query.maxPrice,
    { message: "must not be below minPrice", path: ["maxPrice"] },
  );

/** The positions a cursor may hold: each tied to the sort that made it. */
export const searchPositionSchema = z.discriminatedUnion("sort", [
  z.object({ sort: z.literal("relevance"), offset: cursorFields.count }).strict(),
  z
    .object({
      sort: z.enum(["price_asc", "price_desc"]),
      amount: cursorFields.count,
      id: cursorFields.id,
    })
    .strict(),
  z.object({ sort: z.literal("newest"), createdAt: cursorFields.timestamp, id: cursorFields.id }).strict(),
]);
