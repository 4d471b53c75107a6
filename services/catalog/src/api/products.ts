import {
  type EventEnvelope,
  PriceChanged,
  ProductCreated,
  ProductDeleted,
  ProductUpdated,
} from "@mercato/contracts";
import { decodeCursor, HttpProblem, operation, pageOf, requireUser } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { v7 as uuidv7 } from "uuid";
import {
  changedFields,
  isCatalogId,
  type Product,
  productEventDetail,
  samePrice,
} from "../domain/product.ts";
import { effectiveSort, type ProductSearch, type SearchPosition } from "../domain/product-search.ts";
import type { CatalogContext } from "../resources.ts";
import {
  deleteProduct,
  findProduct,
  insertProduct,
  isSkuTaken,
  lockProduct,
  searchProducts,
  updateProduct,
} from "../store/products.ts";
import { imageIdOfUrl } from "./image-urls.ts";
import {
  createProductBody,
  productBody,
  productIdParams,
  productListQuery,
  productPageSchema,
  searchPositionSchema,
  theProduct,
  updateProductBody,
} from "./product-schemas.ts";

const tags = ["catalog"];

export function notFound(id: string): HttpProblem {
  return HttpProblem.notFound(`Product ${id} does not exist`);
}

function skuTaken(sku: string): HttpProblem {
  return HttpProblem.conflict(`Another product already has sku ${sku}`);
}

/** Where the page after `last` starts, for the sort that produced it. */
function positionAfter(search: ProductSearch, last: Product, pageStart: number): SearchPosition {
  switch (search.sort) {
    case "relevance":
      return { sort: "relevance", offset: pageStart + search.limit };
    case "price_asc":
    case "price_desc":
      return { sort: search.sort, amount: last.price.amount, id: last.id };
    case "newest":
      return { sort: "newest", createdAt: last.createdAt.toISOString(), id: last.id };
  }
}

export function registerProductRoutes(
  app: FastifyInstance,
  { db, inTransaction, logger, resources }: CatalogContext,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireUser("admin");

  api.get(
    "/api/products",
    {
      schema: operation({
        operationId: "listProducts",
        tags,
        summary: "Search and browse products",
        access: "public",
        querystring: productListQuery,
        responses: { 200: { description: "A page of products", schema: productPageSchema } },
        errors: { 400: "The query is invalid, or the cursor belongs to another sort" },
      }),
    },
    async (request) => {
      const query = request.query;
      const q = query.q || undefined;
      const sort = effectiveSort(query.sort, q);
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, searchPositionSchema);
      if (after && after.sort !== sort) {
        throw new HttpProblem(
          400,
          "invalid-cursor",
          "The cursor belongs to another sort; start again without it",
          [{ path: "query.cursor", message: `was made for sort ${after.sort}, not ${sort}` }],
        );
      }
      const search: ProductSearch = {
        q,
        category: query.category,
        minPrice: query.minPrice,
        maxPrice: query.maxPrice,
        sort,
        limit: query.limit,
        after,
      };
      const rows = await searchProducts(db, search);
      const pageStart = after?.sort === "relevance" ? after.offset : 0;
      return pageOf(rows, search.limit, productBody, (last) => positionAfter(search, last, pageStart));
    },
  );

  api.get(
    "/api/products/:id",
    {
      schema: operation({
        operationId: "getProduct",
        tags,
        summary: "One product",
        access: "public",
        params: productIdParams,
        responses: { 200: theProduct("The product") },
        errors: { 404: "No such product" },
      }),
    },
    async (request) => {
      const { id } = request.params;
      const product = isCatalogId(id) ? await findProduct(db, id) : undefined;
      if (!product) throw notFound(id);
      return productBody(product);
    },
  );

  api.post(
    "/api/products",
    {
      onRequest: admin,
      bodyLimit: 64 * 1024,
      schema: operation({
        operationId: "createProduct",
        tags,
        summary: "Add a product (admin)",
        access: "admin",
        body: createProductBody,
        responses: { 201: theProduct("The product created") },
        errors: { 409: "The sku is taken" },
      }),
    },
    async (request, reply) => {
      const fields = request.body;
      const id = uuidv7();
      const product = await inTransaction(async ({ transaction, publish }) => {
        const created = await insertProduct(transaction, { ...fields, id, createdAt: new Date() });
        await publish([
          ProductCreated.create(productEventDetail(created), {
            correlationId: request.correlationId,
            resources: [id],
          }),
        ]);
        return created;
      }).catch((error: unknown) => {
        throw isSkuTaken(error) ? skuTaken(fields.sku) : error;
      });
      return reply.code(201).header("location", `/api/products/${id}`).send(productBody(product));
    },
  );

  api.patch(
    "/api/products/:id",
    {
      onRequest: admin,
      bodyLimit: 64 * 1024,
      schema: operation({
        operationId: "updateProduct",
        tags,
        summary: "Change a product (admin)",
        access: "admin",
        params: productIdParams,
        body: updateProductBody,
        responses: { 200: theProduct("The product as changed") },
        errors: { 404: "No such product", 409: "The sku is taken" },
      }),
    },
    async (request) => {
      const { id } = request.params;
      if (!isCatalogId(id)) throw notFound(id);
      const body = request.body;
      const updated = await inTransaction(async ({ transaction, publish }) => {
        const before = await lockProduct(transaction, id);
        if (!before) throw notFound(id);
        const after: Product = { ...before, ...body, updatedAt: new Date() };
        const changed = changedFields(before, after);
        if (changed.length === 0) return before;
        await updateProduct(transaction, after);
        const context = { correlationId: request.correlationId, resources: [id] };
        const events: EventEnvelope[] = [
          ProductUpdated.create({ ...productEventDetail(after), changed }, context),
        ];
        if (!samePrice(before.price, after.price)) {
          events.push(
            PriceChanged.create(
              { productId: id, sku: after.sku, oldPrice: before.price, newPrice: after.price },
              context,
            ),
          );
        }
        await publish(events);
        return after;
      }).catch((error: unknown) => {
        throw isSkuTaken(error) ? skuTaken(body.sku ?? "") : error;
      });
      return productBody(updated);
    },
  );

  api.delete(
    "/api/products/:id",
    {
      onRequest: admin,
      schema: operation({
        operationId: "deleteProduct",
        tags,
        summary: "Remove a product and its images (admin)",
        access: "admin",
        params: productIdParams,
        responses: { 204: "empty" },
        errors: { 404: "No such product" },
      }),
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!isCatalogId(id)) throw notFound(id);
      const removed = await inTransaction(async ({ transaction, publish }) => {
        const product = await lockProduct(transaction, id);
        if (!product) throw notFound(id);
        await deleteProduct(transaction, id);
        await publish([
          ProductDeleted.create(
            { productId: id, sku: product.sku },
            { correlationId: request.correlationId, resources: [id] },
          ),
        ]);
        return product;
      });
      // After the commit: a failure here leaves an unreachable file, never a product without its image.
      await Promise.all(
        removed.images.map((url) =>
          resources.images.delete(id, imageIdOfUrl(url)).catch((error: unknown) => {
            logger.warn({ err: error, productId: id, url }, "could not delete a removed product's image");
          }),
        ),
      );
      return reply.code(204).send(null);
    },
  );
}
