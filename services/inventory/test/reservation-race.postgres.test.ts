import type { UnitOfWork } from "@mercato/platform";
import { requireServer } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commit,
  findStock,
  type InventoryTables,
  type ReserveResult,
  release,
  reserve,
  setOnHand,
} from "../src/index.ts";
import { detailsOf, type InventoryHost, startInventoryHost, waitFor } from "./support.ts";

const available = await requireServer("postgres");
const context = { correlationId: "race-test" };
let inventory: InventoryHost;

beforeAll(async () => {
  if (!available) return;
  inventory = await startInventoryHost({ postgres: true });
});

afterAll(async () => {
  await inventory?.close();
});

const write = <T>(work: (writer: UnitOfWork<InventoryTables>) => Promise<T>) =>
  inventory.context.inTransaction(work);

async function ledgerTotals(sku: string) {
  const rows = await inventory.context.db
    .selectFrom("stock_ledger")
    .select(["kind", "on_hand_delta", "reserved_delta"])
    .where("sku", "=", sku)
    .execute();
  const sum = (kind: string | undefined, field: "on_hand_delta" | "reserved_delta") =>
    rows
      .filter((row) => kind === undefined || row.kind === kind)
      .reduce((total, row) => total + row[field], 0);
  return {
    onHand: sum(undefined, "on_hand_delta"),
    reserved: sum(undefined, "reserved_delta"),
    restocked: sum("restock", "on_hand_delta"),
    sold: -sum("commit", "on_hand_delta"),
    reserveRows: rows.filter((row) => row.kind === "reserve").length,
  };
}

describe.skipIf(!available)("reservations under concurrency on PostgreSQL", () => {
  it("grants exactly the stock to 50 concurrent buyers of one unit, and conserves every unit", async () => {
    const sku = "RACE-1";
    await write((writer) => setOnHand(writer, sku, 10, context));
    const orders = Array.from({ length: 50 }, (_, index) => `race-order-${index}`);
    const results = await Promise.all(
      orders.map((orderId) =>
        write((writer) =>
          reserve(writer, { orderId, lines: [{ sku, quantity: 1 }], ttlMs: 60_000 }, context),
        ),
      ),
    );
    const granted = results.filter((result) => result.granted);
    expect(granted).toHaveLength(10);
    expect(results.filter((result) => !result.granted).every((r) => r.reservation.shortSkus[0] === sku)).toBe(
      true,
    );
    expect(await findStock(inventory.context.db, sku)).toEqual({
      sku,
      onHand: 10,
      reserved: 10,
      available: 0,
    });

    // Sell some, give back others, all at once: no unit appears or disappears.
    const [toCommit, toRelease] = [granted.slice(0, 4), granted.slice(4, 7)];
    await Promise.all([
      ...toCommit.map(({ reservation }) => write((writer) => commit(writer, reservation.orderId, context))),
      ...toRelease.map(({ reservation }) => write((writer) => release(writer, reservation.orderId, context))),
    ]);
    const levels = await findStock(inventory.context.db, sku);
    expect(levels).toEqual({ sku, onHand: 6, reserved: 3, available: 3 });
    const ledger = await ledgerTotals(sku);
    expect(ledger).toEqual({ onHand: 6, reserved: 3, restocked: 10, sold: 4, reserveRows: 10 });
    expect((levels?.available ?? 0) + (levels?.reserved ?? 0) + ledger.sold).toBe(10);

    await waitFor(
      () =>
        detailsOf(inventory.events, "StockReserved").length === 10 &&
        detailsOf(inventory.events, "StockReservationFailed").length === 40,
      "10 StockReserved and 40 StockReservationFailed",
    );
  });

  it("never deadlocks nor splits multi-line orders that list their skus in any order", async () => {
    await write((writer) => setOnHand(writer, "PAIR-A", 10, context));
    await write((writer) => setOnHand(writer, "PAIR-B", 10, context));
    const results: ReserveResult[] = await Promise.all(
      Array.from({ length: 30 }, (_, index) => {
        const lines = [
          { sku: "PAIR-A", quantity: 1 },
          { sku: "PAIR-B", quantity: 1 },
        ];
        if (index % 2 === 1) lines.reverse();
        return write((writer) =>
          reserve(writer, { orderId: `pair-order-${index}`, lines, ttlMs: 60_000 }, context),
        );
      }),
    );
    expect(results.filter((result) => result.granted)).toHaveLength(10);
    for (const sku of ["PAIR-A", "PAIR-B"]) {
      expect(await findStock(inventory.context.db, sku)).toEqual({
        sku,
        onHand: 10,
        reserved: 10,
        available: 0,
      });
      expect(await ledgerTotals(sku)).toMatchObject({ onHand: 10, reserved: 10, reserveRows: 10 });
    }
  });

  it("reserves nothing of an order with a short line while others race for the same stock", async () => {
    await write((writer) => setOnHand(writer, "MIX-A", 3, context));
    await write((writer) => setOnHand(writer, "MIX-B", 1, context));
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        write((writer) =>
          reserve(
            writer,
            {
              orderId: `mix-order-${index}`,
              lines: [
                { sku: "MIX-A", quantity: 1 },
                { sku: "MIX-B", quantity: 1 },
              ],
              ttlMs: 60_000,
            },
            context,
          ),
        ),
      ),
    );
    expect(results.filter((result) => result.granted)).toHaveLength(1);
    expect(await findStock(inventory.context.db, "MIX-A")).toEqual({
      sku: "MIX-A",
      onHand: 3,
      reserved: 1,
      available: 2,
    });
    expect(await findStock(inventory.context.db, "MIX-B")).toEqual({
      sku: "MIX-B",
      onHand: 1,
      reserved: 1,
      available: 0,
    });
  });

  it("has the CHECK constraint refuse an oversell that skips the condition", async () => {
    await expect(
      inventory.context.db
        .updateTable("stock")
        .set((eb) => ({ reserved: eb("reserved", "+", 4) }))
        .where("sku", "=", "RACE-1")
        .execute(),
    ).rejects.toThrow(/stock_levels_valid/);
  });
});
