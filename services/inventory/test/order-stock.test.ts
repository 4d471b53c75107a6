import type { EventEnvelope } from "@mercato/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expireReservations,
  findReservation,
  findStock,
  orderReservationTtlMs,
  type StockLine,
  setOnHand,
} from "../src/index.ts";
import { orderEvents } from "./order-events.ts";
import { detailsOf, type InventoryHost, startInventoryHost, waitFor } from "./support.ts";

let inventory: InventoryHost;

beforeAll(async () => {
  inventory = await startInventoryHost();
});

afterAll(async () => {
  await inventory?.close();
});

const stock = (sku: string) => findStock(inventory.context.db, sku);
const reservationOf = (orderId: string) => findReservation(inventory.context.db, orderId);
const restock = (sku: string, onHand: number) =>
  inventory.context.inTransaction((writer) =>
    setOnHand(writer, sku, onHand, { correlationId: "order-stock-test" }),
  );
const publish = (...events: EventEnvelope[]) => inventory.host.transport.publish(events);

/** Every event inventory published for one order, in arrival order. */
const eventsOfOrder = (orderId: string) =>
  inventory.events.filter((event) => (event.detail as { orderId?: string }).orderId === orderId);
const typesOfOrder = (orderId: string) => eventsOfOrder(orderId).map((event) => event["detail-type"]);
const levelsOf = (sku: string) =>
  detailsOf(inventory.events, "StockLevelChanged").filter(
    (detail) => (detail as { sku: string }).sku === sku,
  );
const backInStockOf = (sku: string) =>
  detailsOf(inventory.events, "BackInStock").filter((detail) => (detail as { sku: string }).sku === sku);

const settle = () => waitFor(inventory.settled, "the queues and the outbox to drain");

async function ledger(sku: string) {
  return inventory.context.db
    .selectFrom("stock_ledger")
    .select(["kind", "on_hand_delta", "reserved_delta", "order_id"])
    .where("sku", "=", sku)
    .orderBy("id")
    .execute();
}

async function placeAndSettle(orderId: string, lines: StockLine[]) {
  const order = orderEvents(orderId, lines);
  await publish(order.placed());
  await settle();
  return order;
}

describe("OrderPlaced", () => {
  it("reserves every line for the saga's reservation time and answers StockReserved, caused by the order", async () => {
    await restock("P-A", 5);
    await restock("P-B", 3);
    const order = orderEvents("order-placed", [
      { sku: "P-B", quantity: 1 },
      { sku: "P-A", quantity: 2 },
    ]);
    const placed = order.placed();
    const before = Date.now();
    await publish(placed);
    await settle();
    const after = Date.now();

    expect(await stock("P-A")).toEqual({ sku: "P-A", onHand: 5, reserved: 2, available: 3 });
    expect(await stock("P-B")).toEqual({ sku: "P-B", onHand: 3, reserved: 1, available: 2 });
    const reservation = await reservationOf("order-placed");
    expect(reservation?.status).toBe("active");
    const ttl = (reservation?.expiresAt.getTime() ?? 0) - before;
    expect(ttl).toBeGreaterThanOrEqual(orderReservationTtlMs);
    expect(reservation?.expiresAt.getTime()).toBeLessThanOrEqual(after + orderReservationTtlMs);

    const [answer, ...more] = eventsOfOrder("order-placed");
    expect(more).toEqual([]);
    expect(answer?.["detail-type"]).toBe("StockReserved");
    expect(answer?.detail).toEqual({
      orderId: "order-placed",
      lines: [
        { sku: "P-A", quantity: 2 },
        { sku: "P-B", quantity: 1 },
      ],
      expiresAt: reservation?.expiresAt.toISOString(),
    });
    expect(answer?.metadata["causation-id"]).toBe(placed.id);
    expect(answer?.metadata["correlation-id"]).toBe(placed.metadata["correlation-id"]);
  });

  it("answers StockReservationFailed with the short skus and reserves nothing when a line is short", async () => {
    await restock("F-A", 5);
    await restock("F-B", 1);
    const order = await placeAndSettle("order-short", [
      { sku: "F-A", quantity: 2 },
      { sku: "F-B", quantity: 2 },
    ]);

    expect(typesOfOrder("order-short")).toEqual(["StockReservationFailed"]);
    expect(eventsOfOrder("order-short")[0]?.detail).toEqual({
      orderId: "order-short",
      lines: [
        { sku: "F-A", quantity: 2 },
        { sku: "F-B", quantity: 2 },
      ],
      reason: "out_of_stock",
      shortSkus: ["F-B"],
      shortages: [{ sku: "F-B", requested: 2, available: 1 }],
    });
    expect(await stock("F-A")).toMatchObject({ reserved: 0, available: 5 });
    expect(await stock("F-B")).toMatchObject({ reserved: 0, available: 1 });

    // Orders then rejects the order: there is nothing to give back, and nothing is announced.
    await publish(order.rejected("out_of_stock"));
    await settle();
    expect((await reservationOf("order-short"))?.status).toBe("failed");
    expect(typesOfOrder("order-short")).toEqual(["StockReservationFailed"]);
  });

  it("reserves once when the same order is placed twice", async () => {
    await restock("T-A", 4);
    const order = await placeAndSettle("order-twice", [{ sku: "T-A", quantity: 3 }]);
    await publish(order.placed());
    await settle();
    expect(await stock("T-A")).toMatchObject({ reserved: 3, available: 1 });
    expect(typesOfOrder("order-twice")).toEqual(["StockReserved"]);
  });
});

describe("OrderConfirmed", () => {
  it("commits the reservation: on hand goes down, nothing stays reserved", async () => {
    await restock("C-A", 4);
    const order = await placeAndSettle("order-confirmed", [{ sku: "C-A", quantity: 3 }]);
    const levelChanges = () =>
      inventory.events.filter(
        (event) =>
          event["detail-type"] === "StockLevelChanged" && (event.detail as { sku: string }).sku === "C-A",
      );
    expect(levelChanges().at(-1)?.detail).toEqual({ sku: "C-A", onHand: 4, reserved: 3, available: 1 });
    const announcedBeforeCommit = levelChanges().length;
    await publish(order.confirmed());
    await settle();

    // Available stays 1: the commit announces StockCommitted, not a level change.
    expect(levelChanges()).toHaveLength(announcedBeforeCommit);
    expect(await stock("C-A")).toEqual({ sku: "C-A", onHand: 1, reserved: 0, available: 1 });
    expect((await reservationOf("order-confirmed"))?.status).toBe("committed");
    expect(typesOfOrder("order-confirmed")).toEqual(["StockReserved", "StockCommitted"]);
    expect(eventsOfOrder("order-confirmed")[1]?.detail).toEqual({
      orderId: "order-confirmed",
      lines: [{ sku: "C-A", quantity: 3 }],
    });
  });

  // The queue is not FIFO: a confirmation only exists after StockReserved, so it cannot overtake
  // its reservation, and each handler acts on the reservation's status, so a cancellation that
  // overtakes the confirmation still leaves the books right.
  it("lets a cancellation overtake the confirmation: released, and the late confirmation commits nothing", async () => {
    await restock("O-A", 4);
    const order = await placeAndSettle("order-overtaken", [{ sku: "O-A", quantity: 2 }]);
    await publish(order.cancelled("confirmed"));
    await settle();
    await publish(order.confirmed());
    await settle();

    expect((await reservationOf("order-overtaken"))?.status).toBe("released");
    expect(typesOfOrder("order-overtaken")).toEqual(["StockReserved", "StockReleased"]);
    expect(await stock("O-A")).toEqual({ sku: "O-A", onHand: 4, reserved: 0, available: 4 });
  });
});

describe("OrderConfirmed after the reservation expired", () => {
  const expireNow = () =>
    expireReservations(inventory.context, new Date(Date.now() + orderReservationTtlMs + 60_000));

  it("sells the units again from what is available, and commits", async () => {
    await restock("E-A", 5);
    const order = await placeAndSettle("order-late", [{ sku: "E-A", quantity: 2 }]);
    expect(await expireNow()).toBeGreaterThanOrEqual(1);
    expect(await stock("E-A")).toEqual({ sku: "E-A", onHand: 5, reserved: 0, available: 5 });
    await publish(order.confirmed());
    await settle();

    expect((await reservationOf("order-late"))?.status).toBe("committed");
    expect(await stock("E-A")).toEqual({ sku: "E-A", onHand: 3, reserved: 0, available: 3 });
    expect(typesOfOrder("order-late")).toEqual(["StockReserved", "StockReleased", "StockCommitted"]);
  });

  it("takes nothing when the units went to someone else meanwhile: the reservation stays expired", async () => {
    await restock("E-B", 2);
    const late = await placeAndSettle("order-too-late", [{ sku: "E-B", quantity: 2 }]);
    await expireNow();
    await placeAndSettle("order-meanwhile", [{ sku: "E-B", quantity: 2 }]);
    await publish(late.confirmed());
    await settle();

    expect((await reservationOf("order-too-late"))?.status).toBe("expired");
    expect(await stock("E-B")).toEqual({ sku: "E-B", onHand: 2, reserved: 2, available: 0 });
    expect(typesOfOrder("order-too-late")).toEqual(["StockReserved", "StockReleased"]);
  });
});

describe("OrderRejected", () => {
  it("releases the reservation and announces StockReleased", async () => {
    await restock("J-A", 2);
    const order = await placeAndSettle("order-rejected", [{ sku: "J-A", quantity: 2 }]);
    expect(await stock("J-A")).toMatchObject({ reserved: 2, available: 0 });
    await publish(order.rejected("payment_declined"));
    await settle();

    expect(await stock("J-A")).toEqual({ sku: "J-A", onHand: 2, reserved: 0, available: 2 });
    expect((await reservationOf("order-rejected"))?.status).toBe("released");
    expect(typesOfOrder("order-rejected")).toEqual(["StockReserved", "StockReleased"]);
    expect(eventsOfOrder("order-rejected")[1]?.detail).toEqual({
      orderId: "order-rejected",
      lines: [{ sku: "J-A", quantity: 2 }],
      expired: false,
    });
  });
});

describe("OrderCancelled", () => {
  it("releases the reservation of a pending order", async () => {
    await restock("K-A", 3);
    const order = await placeAndSettle("order-cancelled-pending", [{ sku: "K-A", quantity: 1 }]);
    await publish(order.cancelled("pending"));
    await settle();

    expect(await stock("K-A")).toEqual({ sku: "K-A", onHand: 3, reserved: 0, available: 3 });
    expect((await reservationOf("order-cancelled-pending"))?.status).toBe("released");
    expect(typesOfOrder("order-cancelled-pending")).toEqual(["StockReserved", "StockReleased"]);
  });

  it("puts a confirmed order's units back on hand once, and announces the sku back in stock", async () => {
    await restock("X-A", 2);
    await restock("X-B", 5);
    const order = await placeAndSettle("order-cancelled-confirmed", [
      { sku: "X-A", quantity: 2 },
      { sku: "X-B", quantity: 1 },
    ]);
    await publish(order.confirmed());
    await settle();
    expect(await stock("X-A")).toEqual({ sku: "X-A", onHand: 0, reserved: 0, available: 0 });
    const backInStockBefore = backInStockOf("X-A").length;

    await publish(order.cancelled("confirmed"));
    await settle();
    expect(await stock("X-A")).toEqual({ sku: "X-A", onHand: 2, reserved: 0, available: 2 });
    expect(await stock("X-B")).toEqual({ sku: "X-B", onHand: 5, reserved: 0, available: 5 });
    expect((await reservationOf("order-cancelled-confirmed"))?.status).toBe("restocked");
    expect((await ledger("X-A")).at(-1)).toEqual({
      kind: "cancel",
      on_hand_delta: 2,
      reserved_delta: 0,
      order_id: "order-cancelled-confirmed",
    });
    expect(levelsOf("X-A").at(-1)).toEqual({ sku: "X-A", onHand: 2, reserved: 0, available: 2 });
    expect(levelsOf("X-B").at(-1)).toEqual({ sku: "X-B", onHand: 5, reserved: 0, available: 5 });
    expect(backInStockOf("X-A").slice(backInStockBefore)).toEqual([{ sku: "X-A", available: 2 }]);
    expect(typesOfOrder("order-cancelled-confirmed")).toEqual(["StockReserved", "StockCommitted"]);

    // A second cancellation (another event for the same fact) finds nothing left to undo.
    const eventsBefore = inventory.events.length;
    await publish(order.cancelled("confirmed"));
    await settle();
    expect(await stock("X-A")).toEqual({ sku: "X-A", onHand: 2, reserved: 0, available: 2 });
    expect((await ledger("X-A")).filter((row) => row.kind === "cancel")).toHaveLength(1);
    expect(inventory.events.slice(eventsBefore)).toEqual([]);
  });
});

describe("an order rejected or cancelled before inventory saw it placed", () => {
  it("leaves a tombstone, so that the late OrderPlaced reserves nothing and publishes nothing", async () => {
    await restock("Z-A", 5);
    const cancelledFirst = orderEvents("order-cancelled-first", [{ sku: "Z-A", quantity: 2 }]);
    const rejectedFirst = orderEvents("order-rejected-first", [{ sku: "Z-A", quantity: 1 }]);
    await publish(cancelledFirst.cancelled("pending"), rejectedFirst.rejected("payment_timeout"));
    await settle();
    for (const orderId of ["order-cancelled-first", "order-rejected-first"]) {
      expect(await reservationOf(orderId)).toMatchObject({ status: "released", lines: [] });
    }

    const eventsBefore = inventory.events.length;
    await publish(cancelledFirst.placed(), rejectedFirst.placed());
    await settle();
    expect(await stock("Z-A")).toEqual({ sku: "Z-A", onHand: 5, reserved: 0, available: 5 });
    expect(inventory.events.slice(eventsBefore)).toEqual([]);
    expect(await reservationOf("order-cancelled-first")).toMatchObject({ status: "released", lines: [] });
  });
});

describe("ReturnReceived", () => {
  it("puts the returned units back on hand once per return", async () => {
    await restock("Y-A", 1);
    await restock("Y-B", 4);
    const order = await placeAndSettle("order-returned", [
      { sku: "Y-A", quantity: 1 },
      { sku: "Y-B", quantity: 3 },
    ]);
    await publish(order.confirmed());
    await settle();
    expect(await stock("Y-A")).toEqual({ sku: "Y-A", onHand: 0, reserved: 0, available: 0 });
    const backInStockBefore = backInStockOf("Y-A").length;

    const returned = [
      { sku: "Y-B", quantity: 2 },
      { sku: "Y-A", quantity: 1 },
    ];
    await publish(order.returnReceived("return-1", returned));
    await settle();
    expect(await stock("Y-A")).toEqual({ sku: "Y-A", onHand: 1, reserved: 0, available: 1 });
    expect(await stock("Y-B")).toEqual({ sku: "Y-B", onHand: 3, reserved: 0, available: 3 });
    expect((await ledger("Y-B")).at(-1)).toEqual({
      kind: "return",
      on_hand_delta: 2,
      reserved_delta: 0,
      order_id: "order-returned",
    });
    expect(levelsOf("Y-A").at(-1)).toEqual({ sku: "Y-A", onHand: 1, reserved: 0, available: 1 });
    expect(levelsOf("Y-B").at(-1)).toEqual({ sku: "Y-B", onHand: 3, reserved: 0, available: 3 });
    expect(backInStockOf("Y-A").slice(backInStockBefore)).toEqual([{ sku: "Y-A", available: 1 }]);

    const eventsBefore = inventory.events.length;
    await publish(order.returnReceived("return-1", returned));
    await settle();
    expect(await stock("Y-A")).toEqual({ sku: "Y-A", onHand: 1, reserved: 0, available: 1 });
    expect(await stock("Y-B")).toEqual({ sku: "Y-B", onHand: 3, reserved: 0, available: 3 });
    expect(inventory.events.slice(eventsBefore)).toEqual([]);

    // Another return of the same order is another restock.
    await publish(order.returnReceived("return-2", [{ sku: "Y-B", quantity: 1 }]));
    await settle();
    expect(await stock("Y-B")).toEqual({ sku: "Y-B", onHand: 4, reserved: 0, available: 4 });
  });
});
