import type { TaskDefinition } from "@mercato/platform";
import { forgetKeysAnsweredBefore } from "../store/idempotency-keys.ts";
import type { OrdersTables } from "../store/tables.ts";

/** How long an Idempotency-Key's first answer is kept for replays. */
export const idempotencyKeyRetentionMs = 24 * 60 * 60 * 1000;

/** Forgets Idempotency-Keys answered more than a day ago, every ten minutes. */
export const idempotencyKeyExpiry: TaskDefinition<OrdersTables> = {
  name: "idempotency key expiry",
  intervalMs: 10 * 60 * 1000,
  async run({ db }) {
    await forgetKeysAnsweredBefore(db, new Date(Date.now() - idempotencyKeyRetentionMs));
  },
};
