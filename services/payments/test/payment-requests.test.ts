import { PaymentAuthorized, PaymentDeclined, paymentTokenPurpose } from "@mercato/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPayment, paymentIdOf } from "../src/index.ts";
import {
  eventsOf,
  type PaymentsHost,
  paymentRequested,
  startPaymentsHost,
  waitFor,
} from "./payments-host.ts";

const queue = "payments-payment-requests";

describe("payment requests", () => {
  let payments: PaymentsHost;
  beforeAll(async () => {
    payments = await startPaymentsHost();
  });
  afterAll(async () => {
    await payments?.close();
  });

  /** True once the payment-requests queue holds nothing waiting, running or due, and the outbox is sent. */
  const drained = async () => {
    const stats = await payments.host.transport.stats();
    const stat = stats.find((candidate) => candidate.name === queue);
    const backlog = (await payments.host.services[0]?.outboxBacklog()) ?? 0;
    return stat !== undefined && stat.depth + stat.inFlight + stat.delayed === 0 && backlog === 0;
  };

  async function outcomeOf(orderId: string) {
    await waitFor(() => eventsOf(payments.events, orderId).length > 0, `an answer for order ${orderId}`);
    return eventsOf(payments.events, orderId);
  }

  it("authorizes tok_visa and publishes PaymentAuthorized caused by the request", async () => {
    const request = paymentRequested(payments.box, "tok_visa");
    await payments.host.transport.publish([request]);
    const [answer, ...more] = await outcomeOf(request.detail.orderId);
    expect(more).toEqual([]);
    expect(answer?.["detail-type"]).toBe(PaymentAuthorized.detailType);
    expect(answer?.detail).toEqual({
      orderId: request.detail.orderId,
      paymentId: paymentIdOf(request.detail.orderId),
      amount: { amount: 4990, currency: "EUR" },
    });
    expect(answer?.metadata["causation-id"]).toBe(request.id);
    expect(answer?.metadata["correlation-id"]).toBe(request.metadata["correlation-id"]);
    const payment = await findPayment(payments.context.db, request.detail.orderId);
    expect(payment).toMatchObject({
      status: "authorized",
      amount: { amount: 4990, currency: "EUR" },
      providerReference: `sandbox_${paymentIdOf(request.detail.orderId)}`,
      authorizationAttempts: 1,
    });
  });

  it("declines tok_declined as card_declined, for good", async () => {
    const request = paymentRequested(payments.box, "tok_declined");
    await payments.host.transport.publish([request]);
    const [answer] = await outcomeOf(request.detail.orderId);
    expect(answer?.["detail-type"]).toBe(PaymentDeclined.detailType);
    expect(answer?.detail).toEqual({
      orderId: request.detail.orderId,
      reason: "card_declined",
      retryable: false,
    });
    expect(await findPayment(payments.context.db, request.detail.orderId)).toMatchObject({
      status: "declined",
      declineReason: "card_declined",
      providerReference: null,
    });
  });

  it("declines an unknown token as invalid_token", async () => {
    const request = paymentRequested(payments.box, "tok_unknown");
    await payments.host.transport.publish([request]);
    const [answer] = await outcomeOf(request.detail.orderId);
    expect(answer?.detail).toEqual({
      orderId: request.detail.orderId,
      reason: "invalid_token",
      retryable: false,
    });
  });

  it("authorizes tok_flaky after the queue retried two transient failures", async () => {
    const failedBefore =
      (await payments.host.transport.stats()).find((stat) => stat.name === queue)?.failed ?? 0;
    const request = paymentRequested(payments.box, "tok_flaky");
    await payments.host.transport.publish([request]);
    const answers = await outcomeOf(request.detail.orderId);
    expect(answers.map((event) => event["detail-type"])).toEqual(["PaymentAuthorized"]);
    expect(await findPayment(payments.context.db, request.detail.orderId)).toMatchObject({
      status: "authorized",
      authorizationAttempts: 3,
    });
    const failed = (await payments.host.transport.stats()).find((stat) => stat.name === queue)?.failed ?? 0;
    expect(failed - failedBefore).toBe(2);
    expect(await payments.host.transport.deadLetters(queue)).toEqual([]);
  });

  it("charges an order once: a redelivered request and a second request change nothing", async () => {
    const request = paymentRequested(payments.box, "tok_visa");
    const again = paymentRequested(payments.box, "tok_visa", { orderId: request.detail.orderId });
    await payments.host.transport.publish([request]);
    await outcomeOf(request.detail.orderId);
    await payments.host.transport.publish([request, again, request]);
    await waitFor(drained, "the payment requests to be handled");
    const rows = await payments.context.db
      .selectFrom("payments")
      .selectAll()
      .where("order_id", "=", request.detail.orderId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "authorized", authorization_attempts: 1 });
    expect(eventsOf(payments.events, request.detail.orderId).map((event) => event["detail-type"])).toEqual([
      "PaymentAuthorized",
    ]);
  });

  it("answers concurrent requests for one order with one payment", async () => {
    const first = paymentRequested(payments.box, "tok_visa");
    const others = [1, 2, 3].map(() =>
      paymentRequested(payments.box, "tok_declined", { orderId: first.detail.orderId }),
    );
    await payments.host.transport.publish([first, ...others]);
    await outcomeOf(first.detail.orderId);
    await waitFor(drained, "the payment requests to be handled");
    expect(eventsOf(payments.events, first.detail.orderId)).toHaveLength(1);
  });

  it("declines a tampered or wrongly sealed token as invalid_token, without retrying", async () => {
    const sealed = payments.box.seal("tok_visa", paymentTokenPurpose);
    const [version, iv, ciphertext, tag] = sealed.split(".") as [string, string, string, string];
    const flipped = Buffer.from(ciphertext, "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const tampered = paymentRequested(payments.box, "", {
      sealedToken: [version, iv, flipped.toString("base64url"), tag].join("."),
    });
    const otherPurpose = paymentRequested(payments.box, "", {
      sealedToken: payments.box.seal("tok_visa", "webhook-secret"),
    });
    const clear = paymentRequested(payments.box, "", { sealedToken: "tok_visa" });
    const failedBefore =
      (await payments.host.transport.stats()).find((stat) => stat.name === queue)?.failed ?? 0;
    await payments.host.transport.publish([tampered, otherPurpose, clear]);
    for (const request of [tampered, otherPurpose, clear]) {
      const [answer] = await outcomeOf(request.detail.orderId);
      expect(answer?.detail).toEqual({
        orderId: request.detail.orderId,
        reason: "invalid_token",
        retryable: false,
      });
      expect(await findPayment(payments.context.db, request.detail.orderId)).toMatchObject({
        status: "declined",
        authorizationAttempts: 1,
      });
    }
    const failed = (await payments.host.transport.stats()).find((stat) => stat.name === queue)?.failed ?? 0;
    expect(failed).toBe(failedBefore);
  });

  it("never keeps or logs a payment token in clear", async () => {
    const tokens = ["tok_visa", "tok_declined", "tok_flaky", "tok_unknown"];
    await waitFor(drained, "the payment requests to be handled");
    const rows = await sql<Record<string, unknown>>`SELECT * FROM payments`.execute(payments.context.db);
    expect(rows.rows.length).toBeGreaterThan(5);
    const stored = JSON.stringify(rows.rows);
    const logged = payments.logs.join("");
    expect(logged).toContain("payment authorization recorded");
    for (const token of tokens) {
      expect(stored).not.toContain(token);
      expect(logged).not.toContain(token);
    }
    // Fingerprints only: a SHA-256 in hex, or nothing when the token could not be opened.
    for (const row of rows.rows) expect(row.token_fingerprint ?? "").toMatch(/^([0-9a-f]{64})?$/);
  });
});
