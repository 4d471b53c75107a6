import { describe, expect, it } from "vitest";
import { compensationFor, type Payment, type PaymentStatus, planRefund } from "../src/index.ts";

const eur = (amount: number) => ({ amount, currency: "EUR" });

function payment(status: PaymentStatus, refunded = 0): Payment {
  const at = new Date();
  return {
    id: "pay-1",
    orderId: "order-1",
    status,
    amount: eur(4990),
    refunded: eur(refunded),
    providerReference: "sandbox_pay-1",
    declineReason: null,
    authorizationAttempts: 1,
    createdAt: at,
    updatedAt: at,
  };
}

describe("refund plans", () => {
  it("refunds what is asked while the capture holds it, partially and then fully", () => {
    expect(planRefund(payment("captured"), eur(1000))).toEqual({
      amount: eur(1000),
      refundedAfter: eur(1000),
      status: "partially_refunded",
    });
    expect(planRefund(payment("partially_refunded", 1000), eur(3990))).toEqual({
      amount: eur(3990),
      refundedAfter: eur(4990),
      status: "refunded",
    });
  });

  it("cuts a refund to what is left, and plans none when nothing is", () => {
    expect(planRefund(payment("partially_refunded", 3000), eur(3000))).toMatchObject({
      amount: eur(1990),
      status: "refunded",
    });
    expect(planRefund(payment("refunded", 4990), eur(1))).toBeUndefined();
    expect(planRefund(payment("captured"), eur(0))).toBeUndefined();
  });

  it("gives back everything that remains for a cancellation", () => {
    expect(planRefund(payment("partially_refunded", 990), "remaining")).toEqual({
      amount: eur(4000),
      refundedAfter: eur(4990),
      status: "refunded",
    });
  });

  it("refuses a refund in another currency than the payment's", () => {
    expect(() => planRefund(payment("captured"), { amount: 100, currency: "USD" })).toThrow(
      "A refund in USD cannot come out of the payment of order order-1, which is in EUR",
    );
  });
});

describe("compensation of an ended order", () => {
  it("voids an authorization, refunds a capture of a cancelled order, and leaves the rest", () => {
    expect(compensationFor(payment("authorized"), "rejected")).toBe("void");
    expect(compensationFor(payment("authorized"), "cancelled")).toBe("void");
    for (const status of ["captured", "partially_refunded", "refunded"] as const) {
      expect(compensationFor(payment(status), "cancelled")).toBe("refund");
    }
    for (const status of ["declined", "voided", "cancelled"] as const) {
      expect(compensationFor(payment(status), "rejected")).toBe("nothing");
      expect(compensationFor(payment(status), "cancelled")).toBe("nothing");
    }
  });

  it("refuses to undo a capture for a rejection, which only a pending order can have", () => {
    expect(() => compensationFor(payment("captured"), "rejected")).toThrow(
      "The payment of order order-1 is captured and cannot be voided",
    );
  });
});
