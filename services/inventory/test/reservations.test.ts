import { startPeriodicTask, type UnitOfWork } from "@mercato/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commit,
  expireReservations,
  findReservation,
  findStock,
  InvalidStockLinesError,
  type InventoryTables,
  leaveTombstone,
  release,
  reservationExpiry,
  reserve,
  type StockLine,
  setOnHand,
} from "../src/index.ts";
import { detailsOf, type InventoryHost, startInventoryHost, waitFor } from "./support.ts";

let inventory: InventoryHost;
const context = { correlationId: "reservations-test" };

beforeAll(async () => {
  inventory = await startInventoryHost();
});

afterAll(async () => {
  await inventory?.close();
});

const write = <T>(work: (writer: UnitOfWork<InventoryTables>) => Promise<T>) =>
  inventory.context.inTransaction(work);
const stock = async (sku: string) => findStock(inventory.context.db, sku);
const restock = (sku: string, onHand: number) => write((writer) => setOnHand(writer, sku, onHand, context));
// A day: the service's own sweep (real clock) must not expire what the tests expire by hand.
const reserveFor = (orderId: string, lines: StockLine[], ttlMs = 86_400_000, now?: Date) =>
  write((writer) => reserve(writer, { orderId, lines, ttlMs, ...(now ? { now } : {}) }, context));
const eventsFor = (type: string, orderId: string) =>
  detailsOf(inventory.events, type).filter((detail) => (detail as { orderId: string }).orderId === orderId);

async function ledger(sku: string) {
  return inventory.context.db
    .selectFrom("stock_ledger")
    .select(["kind", "on_hand_delta", "reserved_delta", "order_id"])
    .where("sku", "=", sku)
    .orderBy("id")
    .execute();
}

describe("reserve", () => {
  it("reserves every line, records the movements and announces StockReserved", async () => {
    await restock("R-A", 5);
    await restock("R-B", 2);
    const result = await reserveFor("order-1", [
      { sku: "R-B", quantity: 1 },
      { sku: "R-A", quantity: 2 },
      { sku: "R-B", quantity: 1 },
    ]);
    expect(result).toMatchObject({ granted: true, replayed: false });
    expect(result.reservation).toMatchObject({
      orderId: "order-1",
      status: "active",
      lines: [
        { sku: "R-A", quantity: 2 },
        { sku: "R-B", quantity: 2 },
      ],
      shortSkus: [],
    });
    expect(await stock("R-A")).toEqual({ sku: "R-A", onHand: 5, reserved: 2, available: 3 });
    expect(await stock("R-B")).toEqual({ sku: "R-B", onHand: 2, reserved: 2, available: 0 });
    expect((await ledger("R-B")).at(-1)).toEqual({
      kind: "reserve",
      on_hand_delta: 0,
      reserved_delta: 2,
      order_id: "order-1",
    });
    await waitFor(() => eventsFor("StockReserved", "order-1").length === 1, "StockReserved");
    expect(eventsFor("StockReserved", "order-1")[0]).toEqual({
      orderId: "order-1",
      lines: result.reservation.lines,
      expiresAt: result.reservation.expiresAt.toISOString(),
    });
  });

  it("reserves nothing when one line is short, and names every short sku", async () => {
    await restock("S-A", 5);
    await restock("S-B", 1);
    await restock("S-C", 5);
    const result = await reserveFor("order-short", [
      { sku: "S-A", quantity: 2 },
      { sku: "S-B", quantity: 2 },
      { sku: "S-C", quantity: 6 },
      { sku: "S-UNKNOWN", quantity: 1 },
    ]);
    expect(result.granted).toBe(false);
    expect(result.reservation.status).toBe("failed");
    expect(result.reservation.shortSkus).toEqual(["S-B", "S-C", "S-UNKNOWN"]);
    for (const sku of ["S-A", "S-B", "S-C"]) {
      expect((await stock(sku))?.reserved, sku).toBe(0);
      expect((await ledger(sku)).map((row) => row.kind)).toEqual(["restock"]);
    }
    await waitFor(() => eventsFor("StockReservationFailed", "order-short").length === 1, "failure event");
    expect(eventsFor("StockReservationFailed", "order-short")[0]).toMatchObject({
      reason: "out_of_stock",
      shortSkus: ["S-B", "S-C", "S-UNKNOWN"],
      shortages: [
        { sku: "S-B", requested: 2, available: 1 },
        { sku: "S-C", requested: 6, available: 5 },
        { sku: "S-UNKNOWN", requested: 1, available: 0 },
      ],
    });
    expect(eventsFor("StockReserved", "order-short")).toEqual([]);
  });

  it("answers a second request for the same order with the first outcome and changes nothing", async () => {
    await restock("I-A", 3);
    const first = await reserveFor("order-twice", [{ sku: "I-A", quantity: 2 }]);
    const again = await reserveFor("order-twice", [{ sku: "I-A", quantity: 1 }]);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await stock("I-A")).toMatchObject({ reserved: 2, available: 1 });

    const refused = await reserveFor("order-refused", [{ sku: "I-A", quantity: 5 }]);
    await restock("I-A", 10);
    expect(await reserveFor("order-refused", [{ sku: "I-A", quantity: 5 }])).toEqual({
      ...refused,
      replayed: true,
    });
    expect(await stock("I-A")).toMatchObject({ reserved: 2 });
  });

  it("refuses lines that make no sense before touching stock", async () => {
    await expect(reserveFor("order-empty", [])).rejects.toBeInstanceOf(InvalidStockLinesError);
    await expect(reserveFor("order-zero", [{ sku: "R-A", quantity: 0 }])).rejects.toThrow(/positive integer/);
    await expect(reserveFor("order-half", [{ sku: "R-A", quantity: 1.5 }])).rejects.toThrow(
      /positive integer/,
    );
    expect(await findReservation(inventory.context.db, "order-zero")).toBeUndefined();
  });

  it("treats a quantity beyond any stock as short", async () => {
    const result = await reserveFor("order-huge", [{ sku: "R-A", quantity: 2 ** 40 }]);
    expect(result.reservation.shortSkus).toEqual(["R-A"]);
  });
});

describe("commit", () => {
  it("takes the units off the books once, and announces StockCommitted", async () => {
    await restock("C-A", 4);
    await reserveFor("order-commit", [{ sku: "C-A", quantity: 3 }]);
    const committed = await write((writer) => commit(writer, "order-commit", context));
    expect(committed?.status).toBe("committed");
    expect(await stock("C-A")).toEqual({ sku: "C-A", onHand: 1, reserved: 0, available: 1 });
    const again = await write((writer) => commit(writer, "order-commit", context));
    expect(again?.status).toBe("committed");
    expect(await stock("C-A")).toEqual({ sku: "C-A", onHand: 1, reserved: 0, available: 1 });
    expect((await ledger("C-A")).map((row) => [row.kind, row.on_hand_delta, row.reserved_delta])).toEqual([
      ["restock", 4, 0],
      ["reserve", 0, 3],
      ["commit", -3, -3],
    ]);
    await waitFor(() => eventsFor("StockCommitted", "order-commit").length === 1, "StockCommitted");
    expect(eventsFor("StockCommitted", "order-commit")[0]).toEqual({
      orderId: "order-commit",
      lines: [{ sku: "C-A", quantity: 3 }],
    });
    expect(await write((writer) => release(writer, "order-commit", context))).toMatchObject({
      status: "committed",
    });
    expect(await stock("C-A")).toMatchObject({ onHand: 1, reserved: 0 });
  });

  it("leaves a released or unknown reservation alone", async () => {
    await restock("C-B", 2);
    await reserveFor("order-released-first", [{ sku: "C-B", quantity: 2 }]);
    await write((writer) => release(writer, "order-released-first", context));
    const committed = await write((writer) => commit(writer, "order-released-first", context));
    expect(committed?.status).toBe("released");
    expect(await stock("C-B")).toEqual({ sku: "C-B", onHand: 2, reserved: 0, available: 2 });
    expect(await write((writer) => commit(writer, "order-never", context))).toBeUndefined();
  });
});

describe("release", () => {
  it("gives the units back once, and announces StockReleased and BackInStock", async () => {
    await restock("L-A", 2);
    await reserveFor("order-release", [{ sku: "L-A", quantity: 2 }]);
    expect(await stock("L-A")).toMatchObject({ available: 0 });
    const released = await write((writer) => release(writer, "order-release", context));
    expect(released?.status).toBe("released");
    expect(await write((writer) => release(writer, "order-release", context))).toMatchObject({
      status: "released",
    });
    expect(await stock("L-A")).toEqual({ sku: "L-A", onHand: 2, reserved: 0, available: 2 });
    expect((await ledger("L-A")).map((row) => [row.kind, row.reserved_delta])).toEqual([
      ["restock", 0],
      ["reserve", 2],
      ["release", -2],
    ]);
    await waitFor(() => eventsFor("StockReleased", "order-release").length === 1, "StockReleased");
    expect(eventsFor("StockReleased", "order-release")[0]).toEqual({
      orderId: "order-release",
      lines: [{ sku: "L-A", quantity: 2 }],
      expired: false,
    });
    await waitFor(
      () =>
        detailsOf(inventory.events, "BackInStock").filter((d) => (d as { sku: string }).sku === "L-A")
          .length === 2,
      "BackInStock after the restock and after the release",
    );
    expect(await write((writer) => release(writer, "order-unknown", context))).toBeUndefined();
  });
});

describe("leaveTombstone", () => {
  it("answers a later reservation of the order as not granted, and reserves nothing", async () => {
    await restock("G-A", 2);
    expect(await write((writer) => leaveTombstone(writer, "order-gone", context))).toBe(true);
    expect(await write((writer) => leaveTombstone(writer, "order-gone", context))).toBe(false);
    const late = await reserveFor("order-gone", [{ sku: "G-A", quantity: 1 }]);
    expect(late).toMatchObject({ granted: false, replayed: true });
    expect(late.reservation).toMatchObject({ status: "released", lines: [], shortSkus: [] });
    expect(await stock("G-A")).toEqual({ sku: "G-A", onHand: 2, reserved: 0, available: 2 });

    await reserveFor("order-kept", [{ sku: "G-A", quantity: 1 }]);
    expect(await write((writer) => leaveTombstone(writer, "order-kept", context))).toBe(false);
    expect((await findReservation(inventory.context.db, "order-kept"))?.status).toBe("active");
  });
});

describe("expireReservations", () => {
  it("releases active reservations whose time is up, and only those", async () => {
    await restock("E-A", 3);
    // An hour ahead: not due for the service's own sweep, and before the other tests' reservations.
    const start = new Date(Date.now() + 3_600_000);
    await reserveFor("order-expires", [{ sku: "E-A", quantity: 1 }], 10_000, start);
    await reserveFor("order-later", [{ sku: "E-A", quantity: 1 }], 60_000, start);
    await reserveFor("order-committed", [{ sku: "E-A", quantity: 1 }], 1_000, start);
    await write((writer) => commit(writer, "order-committed", context));

    expect(await expireReservations(inventory.context, new Date(start.getTime() + 9_999))).toBe(0);
    expect(await expireReservations(inventory.context, new Date(start.getTime() + 10_000))).toBe(1);
    expect(await expireReservations(inventory.context, new Date(start.getTime() + 10_000))).toBe(0);
    expect((await findReservation(inventory.context.db, "order-expires"))?.status).toBe("expired");
    expect((await findReservation(inventory.context.db, "order-later"))?.status).toBe("active");
    expect((await findReservation(inventory.context.db, "order-committed"))?.status).toBe("committed");
    expect(await stock("E-A")).toEqual({ sku: "E-A", onHand: 2, reserved: 1, available: 1 });
    // Confirmed after all: the units are sold again from what is still available.
    expect(await write((writer) => commit(writer, "order-expires", context))).toMatchObject({
      status: "committed",
    });
    expect(await stock("E-A")).toEqual({ sku: "E-A", onHand: 1, reserved: 1, available: 0 });
    await waitFor(() => eventsFor("StockReleased", "order-expires").length === 1, "StockReleased on expiry");
    expect(eventsFor("StockReleased", "order-expires")[0]).toMatchObject({ expired: true });
    const event = inventory.events.find(
      (candidate) =>
        candidate["detail-type"] === "StockReleased" &&
        (candidate.detail as { orderId: string }).orderId === "order-expires",
    );
    expect(event?.metadata["correlation-id"]).toBe("reservations-test");
  });
});

describe("startReservationSweeper", () => {
  it("expires due reservations on its own until stopped", async () => {
    await restock("W-A", 1);
    await reserveFor("order-swept", [{ sku: "W-A", quantity: 1 }], 1);
    const sweeper = startPeriodicTask(
      { name: reservationExpiry.name, intervalMs: 20, logger: inventory.context.logger },
      () => reservationExpiry.run(inventory.context),
    );
    try {
      await waitFor(
        async () => (await findReservation(inventory.context.db, "order-swept"))?.status === "expired",
        "the sweep to expire order-swept",
      );
    } finally {
      await sweeper.stop();
    }
    expect(await stock("W-A")).toEqual({ sku: "W-A", onHand: 1, reserved: 0, available: 1 });
  });
});
