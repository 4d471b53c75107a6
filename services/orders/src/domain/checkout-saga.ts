import {
  type EventType,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentRefunded,
  PaymentRequested,
  StockReservationFailed,
  StockReserved,
} from "@mercato/contracts";
import {
  paymentAuthorized,
  paymentDeclined,
  paymentRefunded,
  paymentTimedOut,
  stockReservationFailed,
  stockReserved,
} from "./decisions.ts";
import type { Order, OrderEvent } from "./order.ts";

/**
 * The checkout saga, read top to bottom: each step with who performs it, what sets it off, the
 * answers orders waits for and the decision each runs, and the compensation that undoes the step
 * when a later one fails or the customer cancels.
 *
 * Orders orchestrates with its own events: it asks payments with a request (PaymentRequested), and
 * inventory and payments react to the order's events (OrderPlaced; OrderRejected and
 * OrderCancelled are the compensations' triggers, OrderConfirmed the completion's). The saga's
 * state is the order's stream, so any instance takes the next answer.
 *
 * Orders' subscription to the answers, one handler per answer running its decision
 * (handlers/saga-answers.ts), comes from this table, and so does the table of docs/checkout-saga.md
 * (`npm run saga:table`). A test checks that every participant subscribes to the events the table
 * says it acts on.
 */
export const checkoutSaga = [
  {
    step: 1,
    name: "Place the order",
    participant: "orders",
    trigger: "POST /api/orders",
    action: "OrderPlaced: the order is pending, its sealed payment token kept apart",
    compensation: {
      on: [OrderRejected, OrderCancelled],
      by: "orders",
      action: "ends the order rejected or cancelled and deletes its payment token",
    },
  },
  {
    step: 2,
    name: "Reserve the stock",
    participant: "inventory",
    trigger: OrderPlaced,
    action: "reserves every line, all or nothing, for 15 minutes",
    success: answer(StockReserved, "PaymentRequested (step 3), with a deadline", (order, detail, clock) =>
      stockReserved(order, detail.expiresAt, clock.now, clock.paymentTimeoutMs),
    ),
    failure: answer(
      StockReservationFailed,
      "OrderRejected(out_of_stock), naming the shortages",
      (order, detail) => stockReservationFailed(order, detail.shortSkus, detail.shortages),
    ),
    compensation: {
      on: [OrderRejected, OrderCancelled],
      by: "inventory",
      action: "releases the reservation, or puts committed units back on hand",
    },
  },
  {
    step: 3,
    name: "Authorize the payment",
    participant: "payments",
    request: PaymentRequested,
    action: "authorizes the order's total once, retrying a flaky provider",
    success: answer(PaymentAuthorized, "OrderConfirmed (step 4)", (order, detail) =>
      paymentAuthorized(order, detail.paymentId),
    ),
    failure: answer(PaymentDeclined, "OrderRejected(payment_declined)", (order, detail) =>
      paymentDeclined(order, detail.reason),
    ),
    deadline: {
      when: "no answer by the payment deadline (the payment timeout, 30 s before the reservation expires at the latest)",
      outcome: "OrderRejected(payment_timeout)",
      decide: paymentTimedOut,
    },
    compensation: {
      on: [OrderRejected, OrderCancelled],
      by: "payments",
      action: "voids the authorization, or refunds a capture",
      answer: answer(
        PaymentRefunded,
        "recorded on the order (a received return's refund too)",
        (order, detail) => paymentRefunded(order, detail.amount, detail.returnId),
      ),
    },
  },
  {
    step: 4,
    name: "Confirm the order",
    participant: "orders",
    trigger: "step 3 succeeded",
    action: "OrderConfirmed: the order is confirmed",
    completion: [
      { on: [OrderConfirmed], by: "inventory", action: "commits the reservation" },
      { on: [OrderConfirmed], by: "payments", action: "captures the authorization" },
      { on: [OrderConfirmed], by: "cart", action: "takes the bought units out of the cart" },
    ],
  },
] as const satisfies readonly SagaStep[];

// The vocabulary of the table.

export type Participant = "orders" | "inventory" | "payments" | "cart";

// biome-ignore lint/suspicious/noExplicitAny: the table holds event types of any detail.
type AnyEventType = EventType<any>;

/** What a decision gets besides the order and the answer: one instant, and orders' settings. */
export interface SagaClock {
  now: Date;
  paymentTimeoutMs: number;
}

/** An answer orders listens to, and the decision it runs on the order. */
// biome-ignore lint/suspicious/noExplicitAny: the table holds answers of any detail.
export interface SagaAnswer<Detail = any> {
  event: EventType<Detail>;
  /** What the decision does with a pending order, for the docs. */
  outcome: string;
  decide(order: Order, detail: Detail, clock: SagaClock): OrderEvent[];
}

/** Participants that act when orders publishes one of `on`. */
export interface SagaReaction {
  on: readonly AnyEventType[];
  by: Participant;
  action: string;
}

export interface SagaStep {
  step: number;
  name: string;
  participant: Participant;
  /**
   * What sets the step off: an event of orders the participant reacts to, or, for orders' own
   * steps, a request or an earlier step.
   */
  trigger?: AnyEventType | string;
  /** A request orders sends to the participant (orchestration). */
  request?: AnyEventType;
  action: string;
  success?: SagaAnswer;
  failure?: SagaAnswer;
  /** Waiting too long counts as a failure; orders' payment timeout sweep runs `decide`. */
  deadline?: { when: string; outcome: string; decide(order: Order, now: Date): OrderEvent[] };
  /** Undoes the step; `answer` is the participant's answer when orders records one. */
  compensation?: SagaReaction & { answer?: SagaAnswer };
  /** What the participants do once the saga went through. */
  completion?: readonly SagaReaction[];
}

function answer<Detail>(
  event: EventType<Detail>,
  outcome: string,
  decide: (order: Order, detail: Detail, clock: SagaClock) => OrderEvent[],
): SagaAnswer<Detail> {
  return { event, outcome, decide };
}

// What is derived from the table.

/** Every answer orders listens to, in the table's order: its subscription's event types. */
export function answersOf(saga: readonly SagaStep[]): SagaAnswer[] {
  return saga.flatMap((step) =>
    [step.success, step.failure, step.compensation?.answer].filter((entry) => entry !== undefined),
  );
}

export const checkoutSagaAnswers: SagaAnswer[] = answersOf(checkoutSaga);

/** The saga's deadline (step 3's): the payment timeout sweep decides overdue orders with it. */
export const paymentDeadline: NonNullable<SagaStep["deadline"]> = deadlineOf(checkoutSaga);

function deadlineOf(saga: readonly SagaStep[]): NonNullable<SagaStep["deadline"]> {
  const found = saga.find((step) => step.deadline)?.deadline;
  if (!found) throw new Error("The checkout saga has no deadline");
  return found;
}

/**
 * Every event a participant other than orders must act on, with why: the triggers and requests of
 * its steps, the compensations it performs and its part of the completion.
 */
export function participations(
  saga: readonly SagaStep[],
): { participant: Participant; event: AnyEventType; role: string }[] {
  const found: { participant: Participant; event: AnyEventType; role: string }[] = [];
  for (const step of saga) {
    const asked = step.request ?? (typeof step.trigger === "object" ? step.trigger : undefined);
    if (asked) found.push({ participant: step.participant, event: asked, role: `step ${step.step}` });
    for (const reaction of [...(step.compensation ? [step.compensation] : []), ...(step.completion ?? [])]) {
      const role = reaction === step.compensation ? `compensation of step ${step.step}` : "completion";
      for (const event of reaction.on) found.push({ participant: reaction.by, event, role });
    }
  }
  return found.filter((entry) => entry.participant !== "orders");
}
