import { causedBy, PaymentRequested, paymentTokenPurpose } from "@mercato/contracts";
import { on, type SealedBox, type SubscriptionDefinition } from "@mercato/platform";
import type { PaymentsSettings } from "../settings.ts";
import { authorizePayment } from "../store/payments.ts";
import type { PaymentsTables } from "../store/tables.ts";

/**
 * Authorizes the payment an order asks for, once per order, and answers PaymentAuthorized or
 * PaymentDeclined in the same transaction. A transient provider error is thrown, so the queue
 * retries with backoff; after the last attempt the saga's payment timeout decides, so no decline
 * is published for it. A token that cannot be opened is a permanent decline (retrying cannot fix it).
 */
export const paymentRequests: SubscriptionDefinition<PaymentsTables, PaymentsSettings> = {
  name: "payment-requests",
  queue: { visibilityTimeoutMs: 10_000, maxReceiveCount: 5, backoff: { baseMs: 100, maxMs: 5_000 } },
  handlers: [
    on(PaymentRequested, async (event, { transaction, delivery, logger, publish, settings, secrets }) => {
      const { orderId, amount, sealedToken } = event.detail;
      const box = secrets.sealedBox;
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
              : settings.provider.authorize({ paymentId, amount, token, attempt: delivery.receiveCount }),
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
    }),
  ],
};

function openToken(box: SealedBox, sealedToken: string): string | undefined {
  try {
    return box.open(sealedToken, paymentTokenPurpose);
  } catch {
    return undefined;
  }
}
