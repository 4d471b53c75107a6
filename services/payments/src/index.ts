import { defineService } from "@mercato/platform";
import { orderPayments } from "./handlers/order-payments.ts";
import { paymentRequests } from "./handlers/payment-requested.ts";
import { type PaymentsSettings, paymentsSettings } from "./settings.ts";
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
export type { PaymentsSettings } from "./settings.ts";
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

/** The payments service. The saga talks to it only through events. */
export const paymentsService = defineService<PaymentsTables, PaymentsSettings>({
  name: "payments",
  migrations: new URL("../migrations/", import.meta.url),
  settings: paymentsSettings,
  secrets: ["sealedBox"],
  subscriptions: [paymentRequests, orderPayments],
});
