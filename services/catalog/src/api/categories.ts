import { operation, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { countByCategory } from "../store/products.ts";
import type { CatalogTables } from "../store/tables.ts";

export function registerCategoryRoutes(app: FastifyInstance, { db }: ServiceContext<CatalogTables>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/categories",
    {
      schema: operation({
        operationId: "listCategories",
        tags: ["catalog"],
        summary: "Categories with their number of products",
        access: "public",
        responses: {
          200: {
            description: "Every category",
            schema: z.object({ items: z.array(z.object({ name: z.string(), count: z.number().int() })) }),
          },
        },
      }),
    },
    async () => ({ items: await countByCategory(db) }),
  );
}
