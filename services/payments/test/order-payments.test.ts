import { randomBytes } from "node:crypto";
import type { EventEnvelope } from "@mercato/contracts";
import { configureService, createSealedBox } from "@mercato/platform";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPayment, paymentIdOf, paymentsService } from "../src/index.ts";
import {
  eventsOf,
  orderCancelled,
  orderConfirmed,
  orderRejected,
  type PaymentsHost,
  paymentRequested,
  recordingSandbox,
  returnReceived,
  startPaymentsHost,
  waitFor,
} from "./payments-host.ts";

const queue = "payments-order-payments";

describe("payments in the checkout saga: capture, void, refunds", () => {
  let payments: PaymentsHost;
  const sandbox = recordingSandbox();
  const sealedBox = createSealedBox(randomBytes(32));
  beforeAll(async () => {
    payments = await startPaymentsHost({
      service: configureService(paymentsService, {
        settings: { provider: sandbox.provider },
        secrets: { sealedBox },
      }),
    });
  });
  afterAll(async () => {
    await payments?.close();
  });

  /** Publishes events as orders would, and waits until payments handled them and published its answers. */
  async function publish(...events: EventEnvelope[]): Promise<void> {
    await payments.host.transport.publish(events);
    await waitFor(payments.settled, "payments to handle the events");
  }

  /** An order whose payment of 49.90 EUR the provider answered (authorized for tok_visa). */
  async function requestedPayment(token = "tok_visa"): Promise<string> {
    const request = paymentRequested(sealedBox, token);
    await publish(request);
    expect(eventsOf(payments.events, request.detail.orderId)).toHaveLength(1);
    return request.detail.orderId;
  }

  async function capturedPayment(): Promise<string> {
    const orderId = await requestedPayment();
    await publish(orderConfirmed(orderId));
    return orderId;
  }

  const published = (orderId: string) =>
    eventsOf(payments.events, orderId).map((event) => [event["detail-type"], event.detail]);

  const refundsOf = (orderId: string) =>
    payments.context.db
      .selectFrom("refunds")
      .select(["id", "amount"])
      .where("order_id", "=", orderId)
      .orderBy("created_at")
      .execute()
      .then((rows) => rows.map((row) => ({ id: row.id, amount: Number(row.amount) })));

  const eur = (amount: number) => ({ amount, currency: "EUR" });

  it("captures the payment when the order is confirmed, once", async () => {
    const orderId = await requestedPayment();
    const paymentId = paymentIdOf(orderId);
    const confirmed = orderConfirmed(orderId);
    await publish(confirmed);
    await publish(confirmed, orderConfirmed(orderId));

    expect(published(orderId)).toEqual([
      ["PaymentAuthorized", { orderId, paymentId, amount: eur(4990) }],
      ["PaymentCaptured", { orderId, paymentId, amount: eur(4990) }],
    ]);
    expect(eventsOf(payments.events, orderId)[1]?.metadata["causation-id"]).toBe(confirmed.id);
    expect(sandbox.callsFor(paymentId, "capture")).toEqual([
      { operation: "capture", paymentId, amount: eur(4990) },
    ]);
    expect(await findPayment(payments.context.db, orderId)).toMatchObject({ status: "captured" });
  });

  it("refunds a cancelled order's capture in full, once, in publish order", async () => {
    const orderId = await requestedPayment();
    const paymentId = paymentIdOf(orderId);
    const cancelled = orderCancelled(orderId);
    // One publish: the FIFO group of the order hands the capture over before the cancellation.
    await publish(orderConfirmed(orderId), cancelled);
    await publish(cancelled, orderCancelled(orderId));

    expect(published(orderId)).toEqual([
      ["PaymentAuthorized", { orderId, paymentId, amount: eur(4990) }],
      ["PaymentCaptured", { orderId, paymentId, amount: eur(4990) }],
      ["PaymentRefunded", { orderId, paymentId, amount: eur(4990), returnId: null }],
    ]);
    expect(sandbox.callsFor(paymentId, "refund")).toHaveLength(1);
    expect(await refundsOf(orderId)).toEqual([{ id: "cancellation", amount: 4990 }]);
    expect(await findPayment(payments.context.db, orderId)).toMatchObject({
      status: "refunded",
      refunded: eur(4990),
    });
  });

  it("voids the authorization of an order cancelled before capture, and refunds nothing", async () => {
    const orderId = await requestedPayment();
    const paymentId = paymentIdOf(orderId);
    await publish(orderCancelled(orderId, "pending"));
    await publish(orderCancelled(orderId, "pending"));

    expect(await findPayment(payments.context.db, orderId)).toMatchObject({ status: "voided" });
    expect(published(orderId).map(([type]) => type)).toEqual(["PaymentAuthorized"]);
    expect(sandbox.callsFor(paymentId, "void")).toHaveLength(1);
    expect(sandbox.callsFor(paymentId, "refund")).toEqual([]);
    expect(await refundsOf(orderId)).toEqual([]);
  });

  it("voids an authorization that arrived before the order was rejected for a payment timeout", async () => {
    const orderId = await requestedPayment();
    await publish(orderRejected(orderId, "payment_timeout"));

    expect(await findPayment(payments.context.db, orderId)).toMatchObject({ status: "voided" });
    expect(sandbox.callsFor(paymentIdOf(orderId), "void")).toHaveLength(1);
    expect(published(orderId).map(([type]) => type)).toEqual(["PaymentAuthorized"]);
  });

  it("has nothing to undo for a declined payment", async () => {
    const orderId = await requestedPayment("tok_declined");
    await publish(orderRejected(orderId, "payment_declined"));

    expect(await findPayment(payments.context.db, orderId)).toMatchObject({ status: "declined" });
    expect(sandbox.callsFor(paymentIdOf(orderId))).toHaveLength(1);
  });

  it.each([
    ["rejected", orderRejected],
    ["cancelled", (orderId: string) => orderCancelled(orderId, "pending")],
  ])(
    "leaves a tombstone for an order %s before its payment was requested: the request charges nothing",
    async (_, ended) => {
      const orderId = uuidv7();
      await publish(ended(orderId));
      expect(await findPayment(payments.context.db, orderId)).toMatchObject({
        status: "cancelled",
        amount: { amount: 0, currency: "XXX" },
      });

      await publish(paymentRequested(sealedBox, "tok_visa", { orderId }));
      await publish(ended(orderId));

      expect(sandbox.callsFor(paymentIdOf(orderId))).toEqual([]);
      expect(eventsOf(payments.events, orderId)).toEqual([]);
      expect(await findPayment(payments.context.db, orderId)).toMatchObject({ status: "cancelled" });
      expect(payments.logs.join("")).toContain(
        "order ended before its payment request arrived: nothing asked",
      );
    },
  );

  it("keeps nothing for an order rejected out of stock: its payment was never going to be asked", async () => {
    const orderId = uuidv7();
    await publish(orderRejected(orderId, "out_of_stock"));
    expect(await findPayment(payments.context.db, orderId)).toBeUndefined();
    expect(eventsOf(payments.events, orderId)).toEqual([]);
  });

  it("refunds each return's amount once, partially and then fully", async () => {
    const orderId = await capturedPayment();
    const first = returnReceived(orderId, "ret-1", 1000);
    await publish(first, returnReceived(orderId, "ret-2", 1500));
    await publish(first, returnReceived(orderId, "ret-1", 1000));

    expect(published(orderId).slice(2)).toEqual([
      ["PaymentRefunded", { orderId, paymentId: paymentIdOf(orderId), amount: eur(1000), returnId: "ret-1" }],
      ["PaymentRefunded", { orderId, paymentId: paymentIdOf(orderId), amount: eur(1500), returnId: "ret-2" }],
    ]);
    expect(await findPayment(payments.context.db, orderId)).toMatchObject({
      status: "partially_refunded",
      refunded: eur(2500),
    });

    await publish(returnReceived(orderId, "ret-3", 2490));
    expect(await findPayment(payments.context.db, orderId)).toMatchObject({
      status: "refunded",
      refunded: eur(4990),
    });
    expect(await refundsOf(orderId)).toEqual([
      { id: "ret-1", amount: 1000 },
      { id: "ret-2", amount: 1500 },
      { id: "ret-3", amount: 2490 },
    ]);
    expect(sandbox.callsFor(paymentIdOf(orderId), "refund").map((call) => call.amount.amount)).toEqual([
      1000, 1500, 2490,
    ]);
  });

  it("never refunds more than was captured", async () => {
    const orderId = await capturedPayment();
    await publish(returnReceived(orderId, "ret-1", 3000), returnReceived(orderId, "ret-2", 3000));
    await publish(returnReceived(orderId, "ret-3", 500), orderCancelled(orderId));

    expect(published(orderId).slice(2)).toEqual([
      ["PaymentRefunded", { orderId, paymentId: paymentIdOf(orderId), amount: eur(3000), returnId: "ret-1" }],
      ["PaymentRefunded", { orderId, paymentId: paymentIdOf(orderId), amount: eur(1990), returnId: "ret-2" }],
    ]);
    expect(sandbox.callsFor(paymentIdOf(orderId), "refund").map((call) => call.amount.amount)).toEqual([
      3000, 1990,
    ]);
    expect(await refundsOf(orderId)).toEqual([
      { id: "ret-1", amount: 3000 },
      { id: "ret-2", amount: 1990 },
    ]);
    expect(await findPayment(payments.context.db, orderId)).toMatchObject({
      status: "refunded",
      refunded: eur(4990),
    });
    expect(payments.logs.join("")).toContain("return refund cut to what is left of the capture");
  });

  it("dead-letters an event its payment contradicts, such as confirming a declined order", async () => {
    const orderId = await requestedPayment("tok_declined");
    await payments.host.transport.publish([orderConfirmed(orderId)]);
    await waitFor(
      async () => (await payments.host.transport.deadLetters(queue)).length === 1,
      "the confirmation to be dead-lettered",
    );
    const [dead] = await payments.host.transport.deadLetters(queue);
    expect(dead?.lastError).toContain(`The payment of order ${orderId} is declined and cannot be captured`);
    expect(published(orderId).map(([type]) => type)).toEqual(["PaymentDeclined"]);
  });

  it("never logs a payment token in clear", async () => {
    const logged = payments.logs.join("");
    expect(logged).toContain("payment captured");
    for (const token of ["tok_visa", "tok_declined"]) expect(logged).not.toContain(token);
  });
});
