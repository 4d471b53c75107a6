import { HttpProblem, operation, requireUser, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { maxOnHand, OnHandBelowReservedError, skuPattern } from "../domain/stock.ts";
import { findStock, setOnHand } from "../store/stock-levels.ts";
import type { InventoryTables } from "../store/tables.ts";

export const skuParams = z.object({
  sku: z
    .string()
    .regex(skuPattern, "A sku is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"),
});

const count = z.number().int().min(0);
const stockLevelsSchema = z
  .object({ sku: z.string(), onHand: count, reserved: count, available: count })
  .meta({ id: "StockLevels" });
const tags = ["inventory"];

const setOnHandBody = z.object({ onHand: z.number().int().min(0).max(maxOnHand) }).strict();

export function registerStockRoutes(app: FastifyInstance, context: ServiceContext<InventoryTables>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // onRequest: the token is checked before the body is read, so strangers learn nothing from 400s.
  const admin = requireUser("admin");

  api.get(
    "/api/inventory/:sku",
    {
      onRequest: admin,
      schema: operation({
        operationId: "getStock",
        tags,
        summary: "A sku's stock levels (admin)",
        access: "admin",
        params: skuParams,
        responses: { 200: { description: "The stock levels", schema: stockLevelsSchema } },
        errors: { 404: "No stock is recorded for the sku" },
      }),
    },
    async (request) => {
      const levels = await findStock(context.db, request.params.sku);
      if (!levels) throw HttpProblem.notFound(`No stock is recorded for sku ${request.params.sku}`);
      return levels;
    },
  );

  api.put(
    "/api/inventory/:sku",
    {
      onRequest: admin,
      bodyLimit: 1024,
      schema: operation({
        operationId: "setStock",
        tags,
        summary: "Set a sku's units on hand (admin)",
        access: "admin",
        params: skuParams,
        body: setOnHandBody,
        responses: { 200: { description: "The stock levels after the change", schema: stockLevelsSchema } },
        errors: { 409: "Fewer units on hand than are reserved" },
      }),
    },
    async (request) => {
      try {
        const { levels } = await context.inTransaction((writer) =>
          setOnHand(writer, request.params.sku, request.body.onHand, {
            correlationId: request.correlationId,
          }),
        );
        return levels;
      } catch (error) {
        if (error instanceof OnHandBelowReservedError) throw HttpProblem.conflict(error.message);
        throw error;
      }
    },
  );
}
