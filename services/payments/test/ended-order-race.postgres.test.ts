import { randomBytes } from "node:crypto";
import { configureService, createSealedBox } from "@mercato/platform";
import { requireServer } from "@mercato/platform/testing";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPayment, paymentIdOf, paymentsService } from "../src/index.ts";
import {
  eventsOf,
  orderRejected,
  type PaymentsHost,
  paymentRequested,
  recordingSandbox,
  startPaymentsHost,
  waitFor,
} from "./payments-host.ts";

const available = await requireServer("postgres");

describe.skipIf(!available)("an order rejected while its payment is being authorized, on PostgreSQL", () => {
  let payments: PaymentsHost;
  const sealedBox = createSealedBox(randomBytes(32));
  // A slow provider keeps the authorization's transaction (and its new row) open for a while.
  const sandbox = recordingSandbox({ authorizeMs: 150 });
  beforeAll(async () => {
    payments = await startPaymentsHost({
      service: configureService(paymentsService, {
        settings: { provider: sandbox.provider },
        secrets: { sealedBox },
      }),
      postgres: true,
    });
  });
  afterAll(async () => {
    await payments?.close();
  });

  /**
   * Every order ends voided (the authorization committed first) or tombstoned (the rejection did),
   * never captured. A transaction that PostgreSQL rolls back to break a deadlock between two group
   * commits runs again: its provider calls may repeat, with the same payment id.
   */
  async function expectNothingHeld(orderIds: string[]): Promise<Map<string, number>> {
    const ends = new Map<string, number>();
    for (const orderId of orderIds) {
      const payment = await findPayment(payments.context.db, orderId);
      const calls = new Set(sandbox.callsFor(paymentIdOf(orderId)).map((call) => call.operation));
      const published = eventsOf(payments.events, orderId).map((event) => event["detail-type"]);
      if (payment?.status === "voided") {
        expect([...calls]).toEqual(["authorize", "void"]);
        expect(published).toEqual(["PaymentAuthorized"]);
      } else {
        expect(payment?.status).toBe("cancelled");
        expect(calls.has("capture") || calls.has("void") || calls.has("refund")).toBe(false);
        expect(published).toEqual([]);
      }
      ends.set(payment?.status ?? "none", (ends.get(payment?.status ?? "none") ?? 0) + 1);
    }
    for (const queue of ["payments-payment-requests", "payments-order-payments"]) {
      expect(await payments.host.transport.deadLetters(queue)).toEqual([]);
    }
    return ends;
  }

  it("waits for an authorization in progress, then voids what it authorized", async () => {
    const requests = Array.from({ length: 4 }, () => paymentRequested(sealedBox, "tok_visa"));
    const orderIds = requests.map((request) => request.detail.orderId);
    await payments.host.transport.publish(requests);
    await waitFor(
      () => orderIds.every((orderId) => sandbox.callsFor(paymentIdOf(orderId), "authorize").length === 1),
      "the provider to be asked for every order",
    );
    // The authorizations have inserted their rows and not committed: the rejections must wait for them.
    await payments.host.transport.publish(orderIds.map((orderId) => orderRejected(orderId)));
    await waitFor(payments.settled, "the requests and rejections to be handled");
    expect(await expectNothingHeld(orderIds)).toEqual(new Map([["voided", orderIds.length]]));
  });

  it("never charges an order whose request and rejection arrive at the same time", async () => {
    const orderIds = Array.from({ length: 20 }, () => uuidv7());
    const events = orderIds.flatMap((orderId) => [
      paymentRequested(sealedBox, "tok_visa", { orderId }),
      orderRejected(orderId),
    ]);
    await payments.host.transport.publish(events.sort(() => Math.random() - 0.5));
    await waitFor(payments.settled, "the requests and rejections to be handled");
    const ends = await expectNothingHeld(orderIds);
    expect((ends.get("voided") ?? 0) + (ends.get("cancelled") ?? 0)).toBe(orderIds.length);
  });
});
