import { eventEnvelopeSchema } from "@mercato/contracts";
import {
  cursorFields,
  decodeCursor,
  encodeCursor,
  listQuerySchema,
  listResponseSchema,
  operation,
  requireUser,
  type ServiceContext,
} from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { recentEvents } from "../store/event-log.ts";
import type { EventLogTables } from "../store/tables.ts";

const querySchema = listQuerySchema
  .extend({
    source: z.string().min(1).max(256).optional(),
    detailType: z.string().min(1).max(128).optional(),
    correlationId: z.string().min(1).max(128).optional(),
  })
  .strict();

/** A page ends at an event's position in the log; the next one starts below it. */
const positionSchema = z.object({ before: cursorFields.count }).strict();

/** `GET /api/ops/events` (api.md, "Operations"): recent events, newest first. */
export function registerRecentEvents(app: FastifyInstance, { db }: ServiceContext<EventLogTables>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/ops/events",
    {
      onRequest: requireUser("admin"),
      schema: operation({
        operationId: "listRecentEvents",
        tags: ["operations"],
        summary: "Recent events on the bus, newest first, by source, detail-type or correlation id (admin)",
        access: "admin",
        querystring: querySchema,
        responses: {
          200: { description: "A page of events", schema: listResponseSchema(eventEnvelopeSchema) },
        },
      }),
    },
    async (request) => {
      const { cursor, ...filters } = request.query;
      const page = await recentEvents(db, {
        ...filters,
        ...(cursor ? { before: decodeCursor(cursor, positionSchema).before } : {}),
      });
      return {
        items: page.events,
        nextCursor: page.next === undefined ? null : encodeCursor({ before: page.next }),
      };
    },
  );
}
