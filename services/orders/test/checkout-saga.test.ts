import fs from "node:fs/promises";
import {
  PaymentAuthorized,
  PaymentDeclined,
  PaymentRefunded,
  StockReservationFailed,
  StockReserved,
} from "@mercato/contracts";
import { describe, expect, it } from "vitest";
import { checkoutSaga, checkoutSagaAnswers } from "../src/domain/checkout-saga.ts";
import type { OrderStatus } from "../src/domain/order.ts";
import { canMove, orderTransitions, refusedMove, statusesBefore } from "../src/domain/order-status.ts";
import { withSagaTable } from "../src/domain/saga-docs.ts";
import { sagaAnswers } from "../src/handlers/saga-answers.ts";

const nameOf = (type: { source: string; detailType: string }) => `${type.source}/${type.detailType}`;

describe("the checkout saga's table", () => {
  it("reads as steps 1 to 4", () => {
    expect(checkoutSaga.map((step) => `${step.step}. ${step.name} (${step.participant})`)).toEqual([
      "1. Place the order (orders)",
      "2. Reserve the stock (inventory)",
      "3. Authorize the payment (payments)",
      "4. Confirm the order (orders)",
    ]);
  });

  it("gives orders' subscription exactly the answers it names", () => {
    const subscription = sagaAnswers as unknown as {
      events?: { source: string; detailType: string }[];
      handlers?: { type: { source: string; detailType: string } }[];
    };
    const subscribed = [...(subscription.events ?? []), ...(subscription.handlers ?? []).map((h) => h.type)];
    expect(subscribed.map(nameOf).sort()).toEqual(
      [StockReserved, StockReservationFailed, PaymentAuthorized, PaymentDeclined, PaymentRefunded]
        .map(nameOf)
        .sort(),
    );
    expect(checkoutSagaAnswers.map((answer) => nameOf(answer.event)).sort()).toEqual(
      subscribed.map(nameOf).sort(),
    );
  });

  it("dispatches each answer to the handler of its own type", () => {
    const { handlers = [] } = sagaAnswers as unknown as {
      handlers?: { type: unknown }[];
    };
    expect(handlers.map((handler) => handler.type)).toEqual(
      checkoutSagaAnswers.map((answer) => answer.event),
    );
  });

  it("is the table of docs/checkout-saga.md (run `npm run saga:table` after changing it)", async () => {
    const page = await fs.readFile(new URL("../../../docs/checkout-saga.md", import.meta.url), "utf8");
    expect(withSagaTable(page, checkoutSaga)).toBe(page);
  });
});

describe("the order status transitions", () => {
  it("name every status, and only statuses, as targets", () => {
    const statuses = Object.keys(orderTransitions) as OrderStatus[];
    for (const targets of Object.values(orderTransitions)) {
      for (const target of targets) expect(statuses).toContain(target);
    }
    expect(statuses.filter((status) => orderTransitions[status].length === 0)).toEqual([
      "rejected",
      "cancelled",
      "returned",
    ]);
  });

  it("say where an order may go from the status it is in", () => {
    expect(canMove("pending", "confirmed")).toBe(true);
    expect(canMove("confirmed", "cancelled")).toBe(true);
    expect(canMove("shipped", "cancelled")).toBe(false);
    expect(canMove("rejected", "confirmed")).toBe(false);
    expect(statusesBefore("cancelled")).toEqual(["pending", "confirmed"]);
  });

  it("word the 409 with the status now and the statuses that allow the move", () => {
    expect(refusedMove("o-1", "shipped", "cancelled")).toBe(
      "Order o-1 is shipped and can no longer be cancelled (only pending or confirmed orders can)",
    );
    expect(refusedMove("o-1", "pending", "shipped")).toBe(
      "Order o-1 is pending; only a confirmed order can be shipped",
    );
    expect(refusedMove("o-1", "confirmed", "returned")).toBe(
      "Order o-1 is confirmed; only a delivered order can be returned",
    );
  });
});
