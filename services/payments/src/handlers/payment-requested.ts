import { causedBy, type EventEnvelope, PaymentRequested, paymentTokenPurpose } from "@mercato/contracts";
import type { HandlerContext, SealedBox, SubscriptionDefinition } from "@mercato/platform";
import type { PaymentProvider } from "../domain/payment-provider.ts";
import { authorizePayment } from "../store/payments.ts";
import type { PaymentsTables } from "../store/tables.ts";

/**
 * Authorizes the payment an order asks for, once per order, and answers PaymentAuthorized or
 * PaymentDeclined in the same transaction. A transient provider error is thrown, so the queue
 * retries with backoff; after the last attempt the saga's payment timeout decides, so no decline
 * is published for it. A token that cannot be opened is a permanent decline (retrying cannot fix it).
 */
export function paymentRequests(dependencies: {
  provider: PaymentProvider;
  sealedBox: () => Promise<SealedBox>;
}): SubscriptionDefinition<PaymentsTables> {
  return {
    name: "payment-requests",
    events: [PaymentRequested],
    queue: { visibilityTimeoutMs: 10_000, maxReceiveCount: 5, backoff: { baseMs: 100, maxMs: 5_000 } },
    async handle(
      event: EventEnvelope,
      { transaction, delivery, logger, publish }: HandlerContext<PaymentsTables>,
    ) {
      if (!PaymentRequested.is(event)) return;
      const { orderId, amount, sealedToken } = event.detail;
      const box = await dependencies.sealedBox();
      const token = openToken(box, sealedToken);
      const outcome = await authorizePayment(
        transaction,
        {
          orderId,
          amount,
          tokenFingerprint: token === undefined ? null : box.fingerprint(token, paymentTokenPurpose),
          // The queue's receive count is durable: it survives redelivery, restarts and other instances.
          attempt: delivery.receiveCount,
          authorize: async (paymentId) =>
            token === undefined
              ? { outcome: "declined", reason: "invalid_token" }
              : dependencies.provider.authorize({ paymentId, amount, token, attempt: delivery.receiveCount }),
        },
        causedBy(event),
      );
      if (outcome.kind === "duplicate") {
        logger.info(
          { orderId, status: outcome.payment.status },
          outcome.payment.status === "cancelled"
            ? "order ended before its payment request arrived: nothing asked"
            : "payment already requested for this order",
        );
        return;
      }
      logger.info(
        {
          orderId,
          paymentId: outcome.payment.id,
          status: outcome.payment.status,
          attempt: delivery.receiveCount,
        },
        "payment authorization recorded",
      );
      await publish(outcome.events);
    },
  };
}

function openToken(box: SealedBox, sealedToken: string): string | undefined {
  try {
    return box.open(sealedToken, paymentTokenPurpose);
  } catch {
    return undefined;
  }
}
