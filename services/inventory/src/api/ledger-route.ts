import {
  cursorFields,
  decodeCursor,
  HttpProblem,
  listQuerySchema,
  listResponseSchema,
  operation,
  pageOf,
  requireUser,
  type ServiceContext,
} from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ledgerEntries } from "../store/ledger.ts";
import { findStock } from "../store/stock-levels.ts";
import type { InventoryTables } from "../store/tables.ts";
import { skuParams } from "./stock-routes.ts";

const ledgerEntrySchema = z
  .object({
    at: z.iso.datetime(),
    change: z.number().int().describe("Units on hand gained or lost; a sku's changes add up to its on hand"),
    reservedChange: z
      .number()
      .int()
      .describe("Units reserved for checkouts gained or lost; they add up to what is reserved"),
    reason: z
      .enum(["adjustment", "reservation", "release", "order", "cancel", "return", "marketplace-order"])
      .describe(
        "adjustment: set by an admin or a seller's level feed; order: a web checkout's sale; marketplace-order: another channel's sale",
      ),
    reference: z
      .object({
        channel: z
          .string()
          .describe("web (Mercato's storefront), admin, a marketplace's channel, or a level feed's source"),
        orderId: z.string().nullable().describe("Mercato's order id, or the channel's externalOrderId"),
        returnId: z.string().nullable(),
      })
      .meta({ id: "StockLedgerReference" }),
  })
  .meta({ id: "StockLedgerEntry" });

const cursorSchema = z.object({ before: cursorFields.count });

/** `GET /api/inventory/{sku}/ledger` (api.md, "Events in"): every movement of a sku, newest first. */
export function registerLedgerRoute(app: FastifyInstance, { db }: ServiceContext<InventoryTables>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/inventory/:sku/ledger",
    {
      onRequest: requireUser("admin"),
      schema: operation({
        operationId: "listStockLedger",
        tags: ["inventory"],
        summary: "Every movement of a sku's stock, newest first, with its channel (admin)",
        access: "admin",
        params: skuParams,
        querystring: listQuerySchema.strict(),
        responses: {
          200: { description: "One page of movements", schema: listResponseSchema(ledgerEntrySchema) },
        },
        errors: { 404: "No stock is recorded for the sku" },
      }),
    },
    async (request) => {
      const { sku } = request.params;
      const { limit, cursor } = request.query;
      const before = cursor === undefined ? undefined : decodeCursor(cursor, cursorSchema).before;
      if (!(await findStock(db, sku))) throw HttpProblem.notFound(`No stock is recorded for sku ${sku}`);
      const entries = await ledgerEntries(db, sku, {
        limit: limit + 1,
        ...(before === undefined ? {} : { before }),
      });
      return pageOf(
        entries,
        limit,
        ({ id: _id, ...entry }) => ({ ...entry, at: entry.at.toISOString() }),
        (last) => ({ before: last.id }),
      );
    },
  );
}
