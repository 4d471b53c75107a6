import {
  type EventEnvelope,
  InventoryLevelChanged,
  MarketplaceOrderCancelled,
  MarketplaceOrderPlaced,
  MarketplaceReturnReceived,
} from "@mercato/contracts";
import { createTestAuthority, startTestHost, type TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findStock, type InventoryTables, inventoryService, reserve, setOnHand } from "../src/index.ts";

let test: TestHost;
let admin: string;
const context = { correlationId: "marketplace-test" };
const queue = "inventory-marketplace-stock";

beforeAll(async () => {
  const authority = await createTestAuthority();
  test = await startTestHost({
    services: [inventoryService],
    auth: authority,
    record: { source: ["mercato.inventory"] },
  });
  admin = await authority.token({ roles: ["admin"] });
});

afterAll(async () => {
  await test?.close();
});

const db = () => test.context<InventoryTables>().db;
const stock = (sku: string) => findStock(db(), sku);
const restock = (sku: string, onHand: number) =>
  test.context<InventoryTables>().inTransaction((writer) => setOnHand(writer, sku, onHand, context));
const publish = async (...events: EventEnvelope[]) => {
  await test.host.transport.publish(events);
  await expect.poll(() => test.settled()).toBe(true);
};
const placed = (channel: string, externalOrderId: string, lines: { sku: string; quantity: number }[]) =>
  MarketplaceOrderPlaced.create(
    { channel, externalOrderId, lines },
    { ...context, source: `marketplace.${channel}` },
  );
const answers = (externalOrderId: string) =>
  test.events
    .filter((event) => (event.detail as { externalOrderId?: string }).externalOrderId === externalOrderId)
    .map((event) => ({ type: event["detail-type"], detail: event.detail }));
const ledger = async (sku: string) =>
  (await test.call("GET", `/api/inventory/${sku}/ledger?limit=100`, { token: admin })).body.items;

describe("Marketplace Order Placed", () => {
  it("takes the units from the one stock once per channel and order, and answers Accepted", async () => {
    await restock("M-A", 5);
    await restock("M-B", 2);
    const order = placed("amazon", "AMZ-1", [
      { sku: "M-B", quantity: 1 },
      { sku: "M-A", quantity: 2 },
    ]);
    const again = placed("amazon", "AMZ-1", [{ sku: "M-A", quantity: 4 }]);
    await publish(order, again, order);
    expect(await stock("M-A")).toEqual({ sku: "M-A", onHand: 3, reserved: 0, available: 3 });
    expect(await stock("M-B")).toEqual({ sku: "M-B", onHand: 1, reserved: 0, available: 1 });
    expect(answers("AMZ-1")).toEqual([
      {
        type: "Marketplace Order Accepted",
        detail: {
          channel: "amazon",
          externalOrderId: "AMZ-1",
          lines: [
            { sku: "M-A", quantity: 2 },
            { sku: "M-B", quantity: 1 },
          ],
        },
      },
    ]);
    const accepted = test.events.find((event) => event["detail-type"] === "Marketplace Order Accepted");
    expect(accepted?.metadata["causation-id"]).toBe(order.id);
    // The same order id on another channel is another order.
    await publish(placed("ebay", "AMZ-1", [{ sku: "M-A", quantity: 1 }]));
    expect((await stock("M-A"))?.onHand).toBe(2);
  });

  it("rejects all or nothing: out_of_stock names the short skus, unknown_sku wins, nothing is taken", async () => {
    await restock("R-A", 3);
    await restock("R-B", 1);
    await test
      .context<InventoryTables>()
      .inTransaction((writer) =>
        reserve(
          writer,
          { orderId: "web-1", lines: [{ sku: "R-A", quantity: 2 }], ttlMs: 86_400_000 },
          context,
        ),
      );
    await publish(
      placed("amazon", "SHORT", [
        { sku: "R-A", quantity: 2 },
        { sku: "R-B", quantity: 1 },
      ]),
      placed("amazon", "UNKNOWN", [
        { sku: "R-A", quantity: 9 },
        { sku: "NOPE", quantity: 1 },
      ]),
    );
    expect(answers("SHORT")).toEqual([
      {
        type: "Marketplace Order Rejected",
        detail: expect.objectContaining({ reason: "out_of_stock", skus: ["R-A"] }),
      },
    ]);
    expect(answers("UNKNOWN")).toEqual([
      {
        type: "Marketplace Order Rejected",
        detail: expect.objectContaining({ reason: "unknown_sku", skus: ["NOPE"] }),
      },
    ]);
    expect(await stock("R-A")).toEqual({ sku: "R-A", onHand: 3, reserved: 2, available: 1 });
    expect(await stock("R-B")).toEqual({ sku: "R-B", onHand: 1, reserved: 0, available: 1 });
    // A rejected order sent again stays rejected, even when the stock came back meanwhile.
    await restock("R-A", 10);
    await publish(placed("amazon", "SHORT", [{ sku: "R-A", quantity: 2 }]));
    expect((await stock("R-A"))?.onHand).toBe(10);
    expect(answers("SHORT")).toHaveLength(1);
  });
});

describe("Marketplace Order Cancelled and Return Received", () => {
  it("gives an accepted order's units back once, and restocks a return once per returnId", async () => {
    await restock("C-A", 4);
    await publish(placed("zalando", "Z-1", [{ sku: "C-A", quantity: 3 }]));
    const cancelled = MarketplaceOrderCancelled.create(
      { channel: "zalando", externalOrderId: "Z-1" },
      { ...context, source: "marketplace.zalando" },
    );
    await publish(cancelled, { ...cancelled, id: crypto.randomUUID() });
    expect((await stock("C-A"))?.onHand).toBe(4);

    await publish(placed("zalando", "Z-2", [{ sku: "C-A", quantity: 2 }]));
    const returned = MarketplaceReturnReceived.create(
      { channel: "zalando", externalOrderId: "Z-2", returnId: "RET-1", lines: [{ sku: "C-A", quantity: 1 }] },
      { ...context, source: "marketplace.zalando" },
    );
    await publish(returned, { ...returned, id: crypto.randomUUID() });
    expect((await stock("C-A"))?.onHand).toBe(3);
    const otherReturn = MarketplaceReturnReceived.create(
      {
        channel: "zalando",
        externalOrderId: "Z-2",
        returnId: "RET-2",
        lines: [
          { sku: "C-A", quantity: 1 },
          { sku: "GONE", quantity: 1 },
        ],
      },
      { ...context, source: "marketplace.zalando" },
    );
    await publish(otherReturn);
    expect((await stock("C-A"))?.onHand).toBe(4);
    expect(await stock("GONE")).toBeUndefined();
  });

  it("leaves a tombstone for a cancellation that overtakes its order: the late order takes nothing", async () => {
    await restock("T-A", 2);
    await publish(
      MarketplaceOrderCancelled.create(
        { channel: "otto", externalOrderId: "O-1" },
        { ...context, source: "seller.otto" },
      ),
    );
    await publish(placed("otto", "O-1", [{ sku: "T-A", quantity: 1 }]));
    expect((await stock("T-A"))?.onHand).toBe(2);
    expect(answers("O-1")).toEqual([]);
  });
});

describe("Inventory Level Changed", () => {
  const level = (sku: string, onHand: number, asOf: string, source = "seller.acme") =>
    InventoryLevelChanged.create({ sku, onHand, asOf }, { ...context, source });

  it("sets on hand from the newest count and ignores stale and repeated ones", async () => {
    await publish(level("L-A", 10, "2024-05-01T10:00:00Z"));
    expect(await stock("L-A")).toEqual({ sku: "L-A", onHand: 10, reserved: 0, available: 10 });
    await publish(placed("amazon", "L-ORDER", [{ sku: "L-A", quantity: 1 }]));
    await publish(level("L-A", 7, "2024-05-01T09:00:00Z"), level("L-A", 10, "2024-05-01T10:00:00Z"));
    expect((await stock("L-A"))?.onHand).toBe(9);
    await publish(level("L-A", 6, "2024-05-01T12:00:00+01:00"));
    expect((await stock("L-A"))?.onHand).toBe(6);
  });

  it("keeps on hand at what is reserved when a count is below it", async () => {
    await restock("L-B", 5);
    await test
      .context<InventoryTables>()
      .inTransaction((writer) =>
        reserve(
          writer,
          { orderId: "web-l-b", lines: [{ sku: "L-B", quantity: 3 }], ttlMs: 86_400_000 },
          context,
        ),
      );
    await publish(level("L-B", 1, "2024-05-01T10:00:00Z"));
    expect(await stock("L-B")).toEqual({ sku: "L-B", onHand: 3, reserved: 3, available: 0 });
  });

  it("dead-letters a detail that breaks its schema (ingestion refuses those before they get here)", async () => {
    const good = level("L-C", 1, "2024-05-01T10:00:00Z");
    const broken = { ...good, detail: { sku: "L-C", onHand: -1, asOf: "yesterday" } };
    await test.host.transport.publish([broken]);
    await expect
      .poll(async () => (await test.host.transport.deadLetters(queue)).map((letter) => letter.event.id), {
        timeout: 120_000,
      })
      .toContain(broken.id);
    expect(await stock("L-C")).toBeUndefined();
  });
});

describe("GET /api/inventory/{sku}/ledger", () => {
  it("lists every movement newest first with its reason and channel; the changes add up to the stock", async () => {
    await restock("G-A", 6);
    await test
      .context<InventoryTables>()
      .inTransaction((writer) =>
        reserve(
          writer,
          { orderId: "web-g", lines: [{ sku: "G-A", quantity: 1 }], ttlMs: 86_400_000 },
          context,
        ),
      );
    await publish(placed("amazon", "G-1", [{ sku: "G-A", quantity: 2 }]));
    await publish(
      MarketplaceOrderCancelled.create(
        { channel: "amazon", externalOrderId: "G-1" },
        { ...context, source: "marketplace.amazon" },
      ),
    );
    await publish(
      InventoryLevelChanged.create(
        { sku: "G-A", onHand: 8, asOf: "2024-05-01T10:00:00Z" },
        { ...context, source: "seller.acme" },
      ),
    );
    const items = await ledger("G-A");
    expect(
      items.map((item: { reason: string; change: number; reference: { channel: string } }) => [
        item.reason,
        item.change,
        item.reference.channel,
      ]),
    ).toEqual([
      ["adjustment", 2, "seller.acme"],
      ["cancel", 2, "amazon"],
      ["marketplace-order", -2, "amazon"],
      ["reservation", 0, "web"],
      ["adjustment", 6, "admin"],
    ]);
    expect(items[2]).toEqual({
      at: expect.any(String),
      change: -2,
      reservedChange: 0,
      reason: "marketplace-order",
      reference: { channel: "amazon", orderId: "G-1", returnId: null },
    });
    const levels = await stock("G-A");
    expect(items.reduce((sum: number, item: { change: number }) => sum + item.change, 0)).toBe(
      levels?.onHand,
    );
    expect(
      items.reduce((sum: number, item: { reservedChange: number }) => sum + item.reservedChange, 0),
    ).toBe(levels?.reserved);

    const first = await test.call("GET", "/api/inventory/G-A/ledger?limit=2", { token: admin });
    const second = await test.call(
      "GET",
      `/api/inventory/G-A/ledger?limit=2&cursor=${first.body.nextCursor}`,
      { token: admin },
    );
    const third = await test.call(
      "GET",
      `/api/inventory/G-A/ledger?limit=2&cursor=${second.body.nextCursor}`,
      { token: admin },
    );
    expect([...first.body.items, ...second.body.items, ...third.body.items]).toEqual(items);
    expect(third.body.nextCursor).toBeNull();
  });

  it("refuses unknown skus, bad queries, customers and strangers", async () => {
    const customer = await test.authority?.token({ roles: ["customer"] });
    const cases: [string, string | undefined, number][] = [
      ["/api/inventory/NEVER/ledger", admin, 404],
      ["/api/inventory/bad%20sku/ledger", admin, 400],
      ["/api/inventory/G-A/ledger?limit=0", admin, 400],
      ["/api/inventory/G-A/ledger?limit=101", admin, 400],
      ["/api/inventory/G-A/ledger?cursor=forged", admin, 400],
      ["/api/inventory/G-A/ledger?colour=red", admin, 400],
      ["/api/inventory/G-A/ledger", customer, 403],
      ["/api/inventory/G-A/ledger", undefined, 401],
    ];
    for (const [url, token, status] of cases) {
      const answer = await test.call("GET", url, token ? { token } : {});
      expect(answer.status, url).toBe(status);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});
