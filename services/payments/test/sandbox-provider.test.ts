import { describe, expect, it } from "vitest";
import { createSandboxProvider, flakyFailures, TransientProviderError } from "../src/index.ts";

describe("sandbox provider", () => {
  const provider = createSandboxProvider();
  const amount = { amount: 100, currency: "EUR" };
  const authorize = (token: string, attempt = 1) =>
    provider.authorize({ paymentId: "pay-1", amount, token, attempt });

  it("follows api.md's sandbox tokens", async () => {
    expect(await authorize("tok_visa")).toEqual({ outcome: "approved", providerReference: "sandbox_pay-1" });
    expect(await authorize("tok_declined")).toEqual({ outcome: "declined", reason: "card_declined" });
    expect(await authorize("tok_mastercard")).toEqual({ outcome: "declined", reason: "invalid_token" });
    expect(await authorize("")).toEqual({ outcome: "declined", reason: "invalid_token" });
  });

  it("fails tok_flaky transiently on its first two attempts, then approves", async () => {
    expect(flakyFailures).toBe(2);
    await expect(authorize("tok_flaky", 1)).rejects.toThrow(TransientProviderError);
    await expect(authorize("tok_flaky", 2)).rejects.toThrow(
      "Sandbox provider unavailable for payment pay-1 (attempt 2)",
    );
    expect(await authorize("tok_flaky", 3)).toEqual({
      outcome: "approved",
      providerReference: "sandbox_pay-1",
    });
  });

  it("captures, refunds and voids only payments it authorized", async () => {
    const known = { paymentId: "pay-1", providerReference: "sandbox_pay-1", amount };
    const unknown = { ...known, providerReference: "sandbox_pay-2" };
    for (const operation of [provider.capture, provider.refund, provider.void]) {
      expect(await operation(known)).toEqual({ outcome: "done" });
      expect(await operation(unknown)).toEqual({ outcome: "refused", reason: "unknown_payment" });
    }
  });

  it("refunds the amount it is given, but not nothing", async () => {
    const refund = { paymentId: "pay-1", providerReference: "sandbox_pay-1", refundId: "ret-1" };
    expect(await provider.refund({ ...refund, amount: { amount: 40, currency: "EUR" } })).toEqual({
      outcome: "done",
    });
    expect(await provider.refund({ ...refund, amount: { amount: 0, currency: "EUR" } })).toEqual({
      outcome: "refused",
      reason: "invalid_amount",
    });
  });
});
