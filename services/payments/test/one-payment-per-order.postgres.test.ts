import { randomBytes } from "node:crypto";
import { configureService, createSealedBox } from "@mercato/platform";
import { requireServer } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxProvider, type PaymentProvider, paymentsService } from "../src/index.ts";
import {
  eventsOf,
  type PaymentsHost,
  paymentRequested,
  startPaymentsHost,
  waitFor,
} from "./payments-host.ts";

const available = await requireServer("postgres");
const queue = "payments-payment-requests";

describe.skipIf(!available)("one payment per order on PostgreSQL", () => {
  let payments: PaymentsHost;
  const sealedBox = createSealedBox(randomBytes(32));
  const sandbox = createSandboxProvider();
  const authorizations = new Map<string, number>();
  const counting: PaymentProvider = {
    ...sandbox,
    async authorize(request) {
      authorizations.set(request.paymentId, (authorizations.get(request.paymentId) ?? 0) + 1);
      return sandbox.authorize(request);
    },
  };
  beforeAll(async () => {
    payments = await startPaymentsHost({
      service: configureService(paymentsService, {
        settings: { provider: counting },
        secrets: { sealedBox },
      }),
      postgres: true,
    });
  });
  afterAll(async () => {
    await payments?.close();
  });

  it("asks the provider once per order when many requests for the same orders arrive at once", async () => {
    const first = Array.from({ length: 10 }, () => paymentRequested(sealedBox, "tok_visa"));
    const repeats = first.flatMap((request) =>
      [1, 2, 3].map(() => paymentRequested(sealedBox, "tok_declined", { orderId: request.detail.orderId })),
    );
    await payments.host.transport.publish([...first, ...repeats].sort(() => Math.random() - 0.5));
    await waitFor(async () => {
      const stat = (await payments.host.transport.stats()).find((candidate) => candidate.name === queue);
      return stat !== undefined && stat.depth + stat.inFlight + stat.delayed === 0;
    }, "every request to be handled");
    await waitFor(
      () => first.every((request) => eventsOf(payments.events, request.detail.orderId).length > 0),
      "an answer for every order",
    );
    const rows = await payments.context.db.selectFrom("payments").select(["order_id", "status"]).execute();
    expect(rows).toHaveLength(first.length);
    for (const request of first) {
      expect(eventsOf(payments.events, request.detail.orderId)).toHaveLength(1);
    }
    expect([...authorizations.values()].every((count) => count === 1)).toBe(true);
    expect(authorizations.size).toBe(first.length);
  });
});
