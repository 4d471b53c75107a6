import { describe, expect, it } from "vitest";
import { SchemaTurns } from "./schema-turns.ts";

/** Queues `schemas` behind a first holder, and records the order in which their turns start. */
function queueBehindHolder(turns: SchemaTurns, schemas: string[]) {
  const started: string[] = [];
  const finished = Promise.all(
    schemas.map(async (schema) => {
      await turns.acquire(schema);
      started.push(schema);
    }),
  );
  return { started, finished };
}

describe("turns at the shared PGlite session", () => {
  it("serves one holder at a time, first come first served across schemas", async () => {
    const turns = new SchemaTurns();
    await turns.acquire("orders");
    const { started } = queueBehindHolder(turns, ["cart", "events"]);
    await Promise.resolve();
    expect(started).toEqual([]);
    turns.release("orders");
    await Promise.resolve();
    expect(started).toEqual(["cart"]);
    turns.release("cart");
    await Promise.resolve();
    expect(started).toEqual(["cart", "events"]);
    turns.release("events");
  });

  it("lets a waiter for the schema already set go ahead, a bounded number of times", async () => {
    const turns = new SchemaTurns();
    await turns.acquire("orders");
    const queued = ["cart", ...Array.from({ length: 10 }, () => "orders")];
    const { started, finished } = queueBehindHolder(turns, queued);
    for (let turn = 0; turn < queued.length + 1; turn++) {
      turns.release(started.at(-1) ?? "orders");
      await new Promise((resolve) => setImmediate(resolve));
    }
    await finished;
    // Eight orders turns go ahead of cart, then cart's turn comes, then the last two.
    expect(started).toEqual([...Array.from({ length: 8 }, () => "orders"), "cart", "orders", "orders"]);
  });
});
