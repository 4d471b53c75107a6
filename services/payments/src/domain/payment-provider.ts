import type { Money } from "@mercato/contracts";
import type { PaymentDeclineReason } from "./payment.ts";

/**
 * A payment provider (the sandbox, or a real one behind the same interface). The payment id is
 * stable for an order, so a provider can use it as its idempotency key across retries.
 */
export interface PaymentProvider {
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  capture(request: PaymentOperation): Promise<OperationResult>;
  refund(request: RefundOperation): Promise<OperationResult>;
  void(request: PaymentOperation): Promise<OperationResult>;
}

export interface AuthorizeRequest {
  paymentId: string;
  amount: Money;
  /** The customer's payment token, in clear only for this call. */
  token: string;
  /** 1 for the first call for this payment; counts redeliveries after transient failures. */
  attempt: number;
}

export type AuthorizeResult =
  | { outcome: "approved"; providerReference: string }
  | { outcome: "declined"; reason: Exclude<PaymentDeclineReason, "provider_unavailable"> };

export interface PaymentOperation {
  paymentId: string;
  providerReference: string;
  amount: Money;
}

/** Gives back `amount`, all or part of what was captured. */
export interface RefundOperation extends PaymentOperation {
  /**
   * The return's id, or "cancellation": with the payment id, the provider's idempotency key for
   * this refund, since one payment can have several.
   */
  refundId: string;
}

export type OperationResult = { outcome: "done" } | { outcome: "refused"; reason: string };

/** The provider could not answer now (timeout, outage): the caller retries; this is no decline. */
export class TransientProviderError extends Error {
  override name = "TransientProviderError";
}
