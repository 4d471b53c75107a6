import type {
  AuthorizeRequest,
  AuthorizeResult,
  OperationResult,
  PaymentOperation,
  PaymentProvider,
  RefundOperation,
} from "./payment-provider.ts";
import { TransientProviderError } from "./payment-provider.ts";

/** Transient failures `tok_flaky` gives for a payment before it approves. */
export const flakyFailures = 2;

const referencePrefix = "sandbox_";

/**
 * The sandbox of api.md: `tok_visa` approves, `tok_declined` declines, `tok_flaky` fails
 * transiently on its first two attempts for a payment and then approves, anything else is an
 * invalid token; a refund of nothing is refused. It keeps no state: the attempt number comes from
 * the caller, which counts attempts durably (a restarted process or another instance sees the
 * same count), and the caller keeps refunds within the capture.
 */
export function createSandboxProvider(): PaymentProvider {
  const known = (request: PaymentOperation): OperationResult =>
    request.providerReference === `${referencePrefix}${request.paymentId}`
      ? { outcome: "done" }
      : { outcome: "refused", reason: "unknown_payment" };
  return {
    async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
      switch (request.token) {
        case "tok_visa":
          return approved(request);
        case "tok_declined":
          return { outcome: "declined", reason: "card_declined" };
        case "tok_flaky":
          if (request.attempt <= flakyFailures) {
            throw new TransientProviderError(
              `Sandbox provider unavailable for payment ${request.paymentId} (attempt ${request.attempt})`,
            );
          }
          return approved(request);
        default:
          return { outcome: "declined", reason: "invalid_token" };
      }
    },
    capture: async (request) => known(request),
    refund: async (request: RefundOperation) =>
      request.amount.amount > 0 ? known(request) : { outcome: "refused", reason: "invalid_amount" },
    void: async (request) => known(request),
  };
}

function approved(request: AuthorizeRequest): AuthorizeResult {
  return { outcome: "approved", providerReference: `${referencePrefix}${request.paymentId}` };
}
