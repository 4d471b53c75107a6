import { z } from "zod";
import { defineEvent } from "../event-type.ts";

const source = "mercato.identity";

export const UserRegistered = defineEvent({
  source,
  detailType: "UserRegistered",
  description: "A customer created an account.",
  detail: z.object({ userId: z.string().min(1), email: z.string(), name: z.string() }),
});
