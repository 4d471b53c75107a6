import type { EventEnvelope } from "@mercato/contracts";
import type { Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  capturePayment,
  createSandboxProvider,
  findPayment,
  type PaymentProvider,
  PaymentStateError,
  type PaymentsTables,
  paymentIdOf,
  refundPayment,
  voidPayment,
} from "../src/index.ts";
import {
  eventsOf,
  type PaymentsHost,
  paymentRequested,
  startPaymentsHost,
  waitFor,
} from "./payments-host.ts";

describe("capture, refund and void", () => {
  let payments: PaymentsHost;
  const provider = createSandboxProvider();
  const context = { correlationId: "test-capture" };
  beforeAll(async () => {
    payments = await startPaymentsHost();
  });
  afterAll(async () => {
    await payments?.close();
  });

  async function paymentFor(token: string): Promise<string> {
    const request = paymentRequested(payments.box, token);
    await payments.host.transport.publish([request]);
    await waitFor(() => eventsOf(payments.events, request.detail.orderId).length > 0, "the authorization");
    return request.detail.orderId;
  }

  const cancellation = (orderId: string) => ({ orderId, returnId: null, amount: "remaining" as const });

  /** Runs an operation in a transaction and publishes what it returns, as a handler would. */
  function inTransaction<T extends { events: EventEnvelope[] }>(
    operation: (transaction: Transaction<PaymentsTables>) => Promise<T>,
  ): Promise<T> {
    return payments.context.inTransaction(async ({ transaction, publish }) => {
      const result = await operation(transaction);
      await publish(result.events);
      return result;
    });
  }

  it("captures an authorized payment once, then refunds it once", async () => {
    const orderId = await paymentFor("tok_visa");
    const paymentId = paymentIdOf(orderId);
    const amount = { amount: 4990, currency: "EUR" };

    const captured = await inTransaction((transaction) =>
      capturePayment(transaction, provider, orderId, context),
    );
    expect(captured.payment.status).toBe("captured");
    const again = await inTransaction((transaction) =>
      capturePayment(transaction, provider, orderId, context),
    );
    expect(again.events).toEqual([]);

    const refunded = await inTransaction((transaction) =>
      refundPayment(transaction, provider, cancellation(orderId), context),
    );
    expect(refunded.payment.status).toBe("refunded");
    const refundedAgain = await inTransaction((transaction) =>
      refundPayment(transaction, provider, cancellation(orderId), context),
    );
    expect(refundedAgain).toMatchObject({ kind: "duplicate", events: [] });
    const capturedAfterRefund = await inTransaction((transaction) =>
      capturePayment(transaction, provider, orderId, context),
    );
    expect(capturedAfterRefund.events).toEqual([]);

    await waitFor(() => eventsOf(payments.events, orderId).length === 3, "captured and refunded events");
    expect(eventsOf(payments.events, orderId).map((event) => [event["detail-type"], event.detail])).toEqual([
      ["PaymentAuthorized", { orderId, paymentId, amount }],
      ["PaymentCaptured", { orderId, paymentId, amount }],
      ["PaymentRefunded", { orderId, paymentId, amount, returnId: null }],
    ]);
    expect(await findPayment(payments.context.db, orderId)).toMatchObject({ status: "refunded" });
  });

  it("voids an authorization that will not be captured, and then refuses to capture it", async () => {
    const orderId = await paymentFor("tok_visa");
    const voided = await payments.context.db
      .transaction()
      .execute((transaction) => voidPayment(transaction, provider, orderId));
    expect(voided.status).toBe("voided");
    await expect(
      payments.context.db.transaction().execute((transaction) => voidPayment(transaction, provider, orderId)),
    ).resolves.toMatchObject({ status: "voided" });
    await expect(
      payments.context.db
        .transaction()
        .execute((transaction) => capturePayment(transaction, provider, orderId, context)),
    ).rejects.toThrow(`The payment of order ${orderId} is voided and cannot be captured`);
  });

  it("refuses operations that the payment's status does not allow", async () => {
    const declined = await paymentFor("tok_declined");
    const authorized = await paymentFor("tok_visa");
    const run = (operation: "capture" | "refund" | "void", orderId: string) =>
      payments.context.db.transaction().execute(async (transaction): Promise<unknown> => {
        if (operation === "capture") return capturePayment(transaction, provider, orderId, context);
        if (operation === "refund")
          return refundPayment(transaction, provider, cancellation(orderId), context);
        return voidPayment(transaction, provider, orderId);
      });
    await expect(run("capture", declined)).rejects.toThrow(PaymentStateError);
    await expect(run("void", declined)).rejects.toThrow(/is declined and cannot be voided/);
    await expect(run("refund", authorized)).rejects.toThrow(/is authorized and cannot be refunded/);
    await expect(run("capture", "no-such-order")).rejects.toThrow(
      "Order no-such-order has no payment to capture",
    );
    expect(await findPayment(payments.context.db, authorized)).toMatchObject({ status: "authorized" });
  });

  it("keeps the payment as it was when the provider refuses an operation", async () => {
    const orderId = await paymentFor("tok_visa");
    const refusing: PaymentProvider = {
      ...provider,
      capture: async () => ({ outcome: "refused", reason: "authorization_expired" }),
    };
    await expect(
      payments.context.db
        .transaction()
        .execute((transaction) => capturePayment(transaction, refusing, orderId, context)),
    ).rejects.toThrow(
      `The provider refused to capture the payment of order ${orderId}: authorization_expired`,
    );
    expect(await findPayment(payments.context.db, orderId)).toMatchObject({ status: "authorized" });
  });
});
