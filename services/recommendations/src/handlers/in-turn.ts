import type { EventEnvelope } from "@mercato/contracts";
import type { HandlerContext } from "@mercato/platform";
import { takeWritersTurn } from "../store/learning.ts";
import type { RecommendationsTables } from "../store/tables.ts";

/** The handler, run once this service's writers' turn is taken (see takeWritersTurn). */
export function inTurn<Event extends EventEnvelope, Context extends HandlerContext<RecommendationsTables>>(
  handle: (event: Event, context: Context) => Promise<void>,
): (event: Event, context: Context) => Promise<void> {
  return async (event, context) => {
    await takeWritersTurn(context.transaction);
    await handle(event, context);
  };
}
