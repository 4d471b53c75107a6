import { randomBytes } from "node:crypto";
import { configureService, createSealedBox } from "@mercato/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandboxProvider,
  findPayment,
  type PaymentProvider,
  paymentsService,
  TransientProviderError,
} from "../src/index.ts";
import { type PaymentsHost, paymentRequested, startPaymentsHost, waitFor } from "./payments-host.ts";

const queue = "payments-payment-requests";

describe("a provider that stays down", () => {
  let payments: PaymentsHost;
  let calls = 0;
  const sealedBox = createSealedBox(randomBytes(32));
  const down: PaymentProvider = {
    ...createSandboxProvider(),
    async authorize() {
      calls += 1;
      throw new TransientProviderError("provider timed out");
    },
  };
  beforeAll(async () => {
    payments = await startPaymentsHost({
      service: configureService(paymentsService, { settings: { provider: down }, secrets: { sealedBox } }),
    });
  });
  afterAll(async () => {
    await payments?.close();
  });

  it("is retried by the queue up to its last attempt, then dead-lettered without a decline", async () => {
    const request = paymentRequested(sealedBox, "tok_visa");
    await payments.host.transport.publish([request]);
    await waitFor(
      async () => (await payments.host.transport.deadLetters(queue)).length === 1,
      "the request to be dead-lettered",
    );
    const [dead] = await payments.host.transport.deadLetters(queue);
    expect(dead?.receiveCount).toBe(5);
    expect(dead?.lastError).toContain("provider timed out");
    expect(calls).toBe(5);
    // The saga's payment timeout decides; payments records nothing and answers nothing.
    expect(await findPayment(payments.context.db, request.detail.orderId)).toBeUndefined();
    expect(payments.events).toEqual([]);
  });
});
