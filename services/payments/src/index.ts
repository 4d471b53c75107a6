import {
  createSealedBox,
  defineService,
  loadSecretKey,
  type SealedBox,
  type ServiceDefinition,
} from "@mercato/platform";
import type { PaymentProvider } from "./domain/payment-provider.ts";
import { createSandboxProvider } from "./domain/sandbox-provider.ts";
import { orderPayments } from "./handlers/order-payments.ts";
import { paymentRequests } from "./handlers/payment-requested.ts";
import type { PaymentsTables } from "./store/tables.ts";

export { type Compensation, compensationFor, type OrderEnding } from "./domain/compensation.ts";
export {
  type Payment,
  type PaymentDeclineReason,
  type PaymentOperationName,
  PaymentStateError,
  type PaymentStatus,
} from "./domain/payment.ts";
export {
  type AuthorizeRequest,
  type AuthorizeResult,
  type OperationResult,
  type PaymentOperation,
  type PaymentProvider,
  type RefundOperation,
  TransientProviderError,
} from "./domain/payment-provider.ts";
export {
  cancellationRefundId,
  planRefund,
  type RefundAmount,
  type RefundPlan,
} from "./domain/refund-plan.ts";
export { createSandboxProvider, flakyFailures } from "./domain/sandbox-provider.ts";
export {
  type AuthorizationOutcome,
  type AuthorizationRequest,
  authorizePayment,
  capturePayment,
  type EndedOrderPayment,
  findPayment,
  lockPaymentOfEndedOrder,
  paymentIdOf,
  voidPayment,
} from "./store/payments.ts";
export { type RefundOutcome, type RefundRequest, refundPayment } from "./store/refunds.ts";
export type { PaymentsTable, PaymentsTables, RefundsTable } from "./store/tables.ts";

/**
 * The payments service. The saga talks to it only through events. Without a sealed box, one is
 * made at start from MERCATO_SECRET_KEY, or from the key generated in the data directory.
 */
export function createPaymentsService(
  options: { provider?: PaymentProvider; sealedBox?: SealedBox } = {},
): ServiceDefinition<PaymentsTables> {
  const provider = options.provider ?? createSandboxProvider();
  // Consumers start before onStart: a handler that runs first waits for the box instead of failing.
  let openSealedBox!: (box: SealedBox) => void;
  const sealedBox = new Promise<SealedBox>((resolve) => {
    openSealedBox = resolve;
  });
  if (options.sealedBox) openSealedBox(options.sealedBox);
  return defineService<PaymentsTables>({
    name: "payments",
    migrations: new URL("../migrations/", import.meta.url),
    subscriptions: [paymentRequests({ provider, sealedBox: () => sealedBox }), orderPayments({ provider })],
    async onStart(context) {
      if (options.sealedBox) return;
      openSealedBox(createSealedBox(await loadSecretKey(context.config.secretKey, context.config.dataDir)));
    },
  });
}
