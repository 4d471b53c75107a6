import { moneySchema, productIdSchema } from "@mercato/contracts";
import { cursorFields, listQuerySchema, listResponseSchema } from "@mercato/platform";
import { z } from "zod";
import { type Watch, watchKinds } from "../domain/watch-notices.ts";

export const watchSchema = z
  .object({
    id: z.string(),
    productId: z.string(),
    kind: z.enum(watchKinds),
    targetPrice: moneySchema.nullable(),
    createdAt: z.iso.datetime(),
    firedAt: z.iso.datetime().nullable().describe("When the watch notified; it notifies once"),
  })
  .meta({ id: "Watch" });

export function watchBody(watch: Watch): z.infer<typeof watchSchema> {
  return {
    id: watch.id,
    productId: watch.productId,
    kind: watch.kind,
    targetPrice: watch.targetPrice,
    createdAt: watch.createdAt.toISOString(),
    firedAt: watch.firedAt?.toISOString() ?? null,
  };
}

export const createWatchBodySchema = z
  .object({
    productId: productIdSchema,
    kind: z.enum(watchKinds),
    targetPrice: moneySchema
      .strict()
      .nullish()
      .describe("price-drop only: notify when the price falls below it; without it, on any drop"),
  })
  .strict()
  .refine((body) => body.kind === "price-drop" || !body.targetPrice, {
    path: ["targetPrice"],
    message: "applies to price-drop watches only",
  });

export const watchListQuerySchema = listQuerySchema.strict();

export const watchPageSchema = listResponseSchema(watchSchema).meta({ id: "WatchPage" });

/** A page ends at a watch; the next starts just before it (ids are UUIDv7, newest last). */
export const watchCursorSchema = z.object({ id: cursorFields.uuid }).strict();

export const watchParamsSchema = z.object({ id: z.string().min(1).max(64) });
