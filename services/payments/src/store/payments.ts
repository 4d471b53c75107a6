import {
  type EventContext,
  type EventEnvelope,
  type Money,
  PaymentAuthorized,
  PaymentCaptured,
  PaymentDeclined,
} from "@mercato/contracts";
import type { Kysely, Selectable, Transaction, Updateable } from "kysely";
import { v5 as uuidv5 } from "uuid";
import {
  type Payment,
  type PaymentDeclineReason,
  type PaymentOperationName,
  PaymentStateError,
  type PaymentStatus,
} from "../domain/payment.ts";
import type {
  AuthorizeResult,
  OperationResult,
  PaymentOperation,
  PaymentProvider,
} from "../domain/payment-provider.ts";
import type { PaymentsTable, PaymentsTables } from "./tables.ts";

export type Writer = Transaction<PaymentsTables>;

/** Namespace of payment ids: one id per order, the same on every attempt and in every process. */
const paymentIdNamespace = "6f1c0d3e-8a51-4c4e-9a2b-6b0e7f5d2c11";

export function paymentIdOf(orderId: string): string {
  return uuidv5(orderId, paymentIdNamespace);
}

export interface AuthorizationRequest {
  orderId: string;
  amount: Money;
  /** The sealed box's keyed fingerprint; null when the token could not even be read (the authorization then declines it). */
  tokenFingerprint: string | null;
  /** Which attempt this is for the payment, 1 first. */
  attempt: number;
  /** Asks the provider; may throw TransientProviderError, which rolls everything back. */
  authorize(paymentId: string): Promise<AuthorizeResult>;
}

export type AuthorizationOutcome =
  | { kind: "recorded"; payment: Payment; events: EventEnvelope[] }
  /**
   * The order already had a payment, or a tombstone (it ended before this request): nothing was
   * asked of the provider, nothing is to publish.
   */
  | { kind: "duplicate"; payment: Payment };

/**
 * Authorizes the payment of an order at most once. The row is inserted first, so a concurrent
 * request for the same order, or a tombstone being laid for it, waits on the unique keys and then
 * finds it, and the provider is only called by the transaction that created it. Returns the events
 * to publish in `transaction`.
 */
export async function authorizePayment(
  transaction: Writer,
  request: AuthorizationRequest,
  context: EventContext,
): Promise<AuthorizationOutcome> {
  const paymentId = paymentIdOf(request.orderId);
  const inserted = await transaction
    .insertInto("payments")
    .values({
      id: paymentId,
      order_id: request.orderId,
      status: "authorizing",
      amount: request.amount.amount,
      currency: request.amount.currency,
      token_fingerprint: request.tokenFingerprint,
      authorization_attempts: request.attempt,
    })
    .onConflict((conflict) => conflict.doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!inserted) {
    return { kind: "duplicate", payment: await requirePayment(transaction, request.orderId) };
  }
  const result = await request.authorize(paymentId);
  if (result.outcome === "approved") {
    const payment = await setStatus(transaction, request.orderId, "authorized", {
      provider_reference: result.providerReference,
    });
    return {
      kind: "recorded",
      payment,
      events: [
        PaymentAuthorized.create({ orderId: request.orderId, paymentId, amount: request.amount }, context),
      ],
    };
  }
  return declined(transaction, request.orderId, result.reason, context);
}

async function declined(
  transaction: Writer,
  orderId: string,
  reason: PaymentDeclineReason,
  context: EventContext,
): Promise<AuthorizationOutcome> {
  const payment = await setStatus(transaction, orderId, "declined", { decline_reason: reason });
  return {
    kind: "recorded",
    payment,
    events: [PaymentDeclined.create({ orderId, reason, retryable: false }, context)],
  };
}

/**
 * Captures an authorized payment; capturing a captured one again (refunds included) changes nothing
 * and publishes nothing.
 */
export async function capturePayment(
  transaction: Writer,
  provider: PaymentProvider,
  orderId: string,
  context: EventContext,
): Promise<{ payment: Payment; events: EventEnvelope[] }> {
  const payment = await lockPayment(transaction, orderId, "capture");
  if (capturedStatuses.has(payment.status)) return { payment, events: [] };
  if (payment.status !== "authorized") throw new PaymentStateError(orderId, payment.status, "capture");
  await askProvider(payment, "capture", (operation) => provider.capture(operation));
  const captured = await setStatus(transaction, orderId, "captured", {});
  return { payment: captured, events: [PaymentCaptured.create(moneyEventDetail(captured), context)] };
}

const capturedStatuses = new Set<PaymentStatus>(["captured", "partially_refunded", "refunded"]);

/** Releases an authorization that will not be captured (no money moved, so no event). */
export async function voidPayment(
  transaction: Writer,
  provider: PaymentProvider,
  orderId: string,
): Promise<Payment> {
  const payment = await lockPayment(transaction, orderId, "void");
  if (payment.status === "voided") return payment;
  if (payment.status !== "authorized") throw new PaymentStateError(orderId, payment.status, "void");
  await askProvider(payment, "void", (operation) => provider.void(operation));
  return setStatus(transaction, orderId, "voided", {});
}

/** The amount a tombstone holds: it never named one. ISO 4217's code for "no currency". */
const noAmount: Money = { amount: 0, currency: "XXX" };

/** `tombstone`: the order had no payment and a tombstone now stands for it; `payment`: its payment, locked. */
export type EndedOrderPayment =
  | { kind: "tombstone"; payment: Payment }
  | { kind: "payment"; payment: Payment };

/**
 * For an order that was rejected or cancelled: leaves a tombstone (status cancelled) if payments
 * has not heard of its payment yet, or else locks the payment for its compensation. Every unique
 * key is an arbiter of the insert, so an authorization inserting the same order's row at the same
 * time makes it wait until that commits (the row then exists and is read here, authorized or
 * declined) or rolls back (the tombstone goes in, and the retried request will find it).
 */
export async function lockPaymentOfEndedOrder(
  transaction: Writer,
  orderId: string,
): Promise<EndedOrderPayment> {
  const tombstone = await transaction
    .insertInto("payments")
    .values({
      id: paymentIdOf(orderId),
      order_id: orderId,
      status: "cancelled",
      amount: noAmount.amount,
      currency: noAmount.currency,
    })
    .onConflict((conflict) => conflict.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (tombstone) return { kind: "tombstone", payment: toPayment(tombstone) };
  return { kind: "payment", payment: await lockPayment(transaction, orderId, "void") };
}

export async function findPayment(
  db: Kysely<PaymentsTables> | Writer,
  orderId: string,
): Promise<Payment | undefined> {
  const row = await db.selectFrom("payments").selectAll().where("order_id", "=", orderId).executeTakeFirst();
  return row && toPayment(row);
}

async function requirePayment(transaction: Writer, orderId: string): Promise<Payment> {
  const row = await transaction
    .selectFrom("payments")
    .selectAll()
    .where("order_id", "=", orderId)
    .executeTakeFirstOrThrow();
  return toPayment(row);
}

export async function lockPayment(
  transaction: Writer,
  orderId: string,
  operation: PaymentOperationName,
): Promise<Payment> {
  const row = await transaction
    .selectFrom("payments")
    .selectAll()
    .where("order_id", "=", orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new PaymentStateError(orderId, undefined, operation);
  return toPayment(row);
}

/** Asks the provider to `name` the payment; a refusal throws, so the caller's transaction rolls back. */
export async function askProvider(
  payment: Payment,
  name: PaymentOperationName,
  call: (operation: PaymentOperation) => Promise<OperationResult>,
): Promise<void> {
  if (!payment.providerReference) throw new PaymentStateError(payment.orderId, payment.status, name);
  const result = await call({
    paymentId: payment.id,
    providerReference: payment.providerReference,
    amount: payment.amount,
  });
  if (result.outcome === "refused") {
    throw new Error(
      `The provider refused to ${name} the payment of order ${payment.orderId}: ${result.reason}`,
    );
  }
}

export async function setStatus(
  transaction: Writer,
  orderId: string,
  status: PaymentStatus,
  changes: Pick<Updateable<PaymentsTable>, "provider_reference" | "decline_reason" | "refunded_amount">,
): Promise<Payment> {
  const row = await transaction
    .updateTable("payments")
    .set({ ...changes, status, updated_at: new Date() })
    .where("order_id", "=", orderId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPayment(row);
}

function moneyEventDetail(payment: Payment) {
  return { orderId: payment.orderId, paymentId: payment.id, amount: payment.amount };
}

function toPayment(row: Selectable<PaymentsTable>): Payment {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    amount: { amount: Number(row.amount), currency: row.currency },
    refunded: { amount: Number(row.refunded_amount), currency: row.currency },
    providerReference: row.provider_reference,
    declineReason: row.decline_reason,
    authorizationAttempts: row.authorization_attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
