import { z } from "zod";
import { maxEntries } from "../domain/put-events.ts";

// The PutEvents shapes for the OpenAPI document. Entries are checked one by one by the handler
// (domain/put-events.ts), never by the route's schema: one bad entry must not refuse the others.

/** An entry as documented; any value passes the route's schema and is judged on its own. */
export const putEventsEntrySchema = z.any().meta({
  id: "PutEventsRequestEntry",
  type: "object",
  description:
    "One event, as EventBridge's PutEventsRequestEntry. Checked on its own: a bad entry gets an error in the answer, the others are published.",
  properties: {
    Source: { type: "string", minLength: 1, maxLength: 256, description: "Not starting with aws." },
    DetailType: { type: "string", minLength: 1, maxLength: 128 },
    Detail: { type: "string", description: "A JSON object, as text" },
    Time: {
      type: "string",
      format: "date-time",
      description: "RFC 3339; the time of the request when absent",
    },
    Resources: { type: "array", items: { type: "string", minLength: 1, maxLength: 1600 }, maxItems: 100 },
    EventBusName: { type: "string", enum: ["default"] },
    TraceHeader: { type: "string", maxLength: 500 },
  },
  required: ["Source", "DetailType", "Detail"],
});

export const putEventsRequestSchema = z
  .object({ Entries: z.array(putEventsEntrySchema).min(1).max(maxEntries) })
  .strict()
  .meta({ id: "PutEventsRequest" });

export const putEventsResultSchema = z
  .object({
    FailedEntryCount: z.number().int().min(0),
    Entries: z.array(
      z.union([
        z.object({ EventId: z.string() }),
        z.object({
          ErrorCode: z.enum(["InvalidArgument", "MalformedDetail", "NotAuthorizedForSourceException"]),
          ErrorMessage: z.string(),
        }),
      ]),
    ),
  })
  .meta({
    id: "PutEventsResult",
    description:
      "One result per entry, in entry order: the published event's id, or why the entry was refused",
  });
