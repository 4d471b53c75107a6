import { StockLevelChanged } from "@mercato/contracts";
import { createTestAuthority, type TestAuthority } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reserve } from "../src/index.ts";
import { detailsOf, type InventoryHost, startInventoryHost, waitFor } from "./support.ts";

let authority: TestAuthority;
let inventory: InventoryHost;
let admin: string;
let customer: string;

beforeAll(async () => {
  authority = await createTestAuthority();
  inventory = await startInventoryHost({ auth: authority });
  admin = await authority.token({ roles: ["admin"] });
  customer = await authority.token({ roles: ["customer"] });
});

afterAll(async () => {
  await inventory?.close();
});

interface Answer {
  status: number;
  type: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field.
  body: any;
}

async function call(
  method: "GET" | "PUT",
  sku: string,
  options: { token?: string | undefined; body?: unknown; rawBody?: string; authorization?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  if (options.authorization) headers.authorization = options.authorization;
  else if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(new URL(`/api/inventory/${sku}`, inventory.host.url), {
    method,
    headers,
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: text ? JSON.parse(text) : undefined,
  };
}

const put = (sku: string, body: unknown, token = admin) => call("PUT", sku, { token, body });
const get = (sku: string, token = admin) => call("GET", sku, { token });

function expectProblem(answer: Answer, status: number, detail: RegExp) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.type).toMatch(/^application\/problem\+json/);
  expect(answer.body.status).toBe(status);
  expect(answer.body.detail).toMatch(detail);
}

const levelsOf = (sku: string) =>
  detailsOf(inventory.events, "StockLevelChanged").filter((d) => (d as { sku: string }).sku === sku);
const backInStockOf = (sku: string) =>
  detailsOf(inventory.events, "BackInStock").filter((d) => (d as { sku: string }).sku === sku);

describe("PUT and GET /api/inventory/{sku}", () => {
  it("creates a sku, answers its levels and announces them", async () => {
    const created = await put("MUG-001", { onHand: 5 });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ sku: "MUG-001", onHand: 5, reserved: 0, available: 5 });
    expect((await get("MUG-001")).body).toEqual({ sku: "MUG-001", onHand: 5, reserved: 0, available: 5 });
    await waitFor(() => backInStockOf("MUG-001").length === 1, "BackInStock for MUG-001");
    expect(levelsOf("MUG-001")).toEqual([{ sku: "MUG-001", onHand: 5, reserved: 0, available: 5 }]);
    expect(backInStockOf("MUG-001")).toEqual([{ sku: "MUG-001", available: 5 }]);
    const event = inventory.events.find((candidate) => StockLevelChanged.is(candidate));
    expect(event?.source).toBe("mercato.inventory");
  });

  it("announces BackInStock only when available goes from 0 to more, and nothing for no change", async () => {
    const sku = "lamp_2.blue";
    for (const onHand of [3, 7, 7, 0, 2]) expect((await put(sku, { onHand })).status).toBe(200);
    await waitFor(() => levelsOf(sku).length === 4, "four StockLevelChanged for the lamp");
    await waitFor(() => backInStockOf(sku).length === 2, "two BackInStock for the lamp");
    expect(levelsOf(sku).map((d) => (d as { onHand: number }).onHand)).toEqual([3, 7, 0, 2]);
    expect(backInStockOf(sku)).toEqual([
      { sku, available: 3 },
      { sku, available: 2 },
    ]);
  });

  it("creates a sku with nothing on hand without announcing it back in stock", async () => {
    expect((await put("EMPTY-1", { onHand: 0 })).body).toEqual({
      sku: "EMPTY-1",
      onHand: 0,
      reserved: 0,
      available: 0,
    });
    await waitFor(() => levelsOf("EMPTY-1").length === 1, "StockLevelChanged for EMPTY-1");
    expect(backInStockOf("EMPTY-1")).toEqual([]);
  });

  it("answers 404 for an unknown sku", async () => {
    expectProblem(await get("NOPE-404"), 404, /NOPE-404/);
  });

  it("answers 400 for a badly formed sku", async () => {
    for (const sku of ["-starts-with-dash", "has%20space", "x".repeat(65), "semi%3Bcolon"]) {
      const answer = await get(sku);
      expectProblem(answer, 400, /invalid/);
      expect(answer.body.errors).toEqual([
        { path: "params.sku", message: expect.stringMatching(/1 to 64 letters/) },
      ]);
      expectProblem(await put(sku, { onHand: 1 }), 400, /invalid/);
    }
  });

  it("refuses bad onHand values with field problems and changes nothing", async () => {
    const cases: [unknown, RegExp][] = [
      [{ onHand: -1 }, />=0/],
      [{ onHand: 1.5 }, /expected int/],
      [{}, /received undefined/],
      [{ onHand: "5" }, /received string/],
      [{ onHand: null }, /received null/],
      [{ onHand: 1_000_001 }, /<=1000000/],
    ];
    for (const [body, message] of cases) {
      const answer = await put("BAD-INPUT", body);
      expectProblem(answer, 400, /invalid/);
      expect(answer.body.errors, JSON.stringify(body)).toEqual([
        { path: "body.onHand", message: expect.stringMatching(message) },
      ]);
    }
    const extra = await put("BAD-INPUT", { onHand: 1, reserved: 0 });
    expectProblem(extra, 400, /invalid/);
    expect(extra.body.errors).toEqual([{ path: "body", message: expect.stringMatching(/reserved/) }]);
    expect(await answer404("BAD-INPUT")).toBe(404);
  });

  it("answers 400 for malformed JSON and a body that is not an object", async () => {
    expectProblem(await call("PUT", "BAD-JSON", { token: admin, rawBody: '{"onHand": 3' }), 400, /JSON/i);
    expectProblem(await call("PUT", "BAD-JSON", { token: admin, rawBody: "[1]" }), 400, /./);
    expect(await answer404("BAD-JSON")).toBe(404);
  });

  it("accepts the maximum on hand", async () => {
    expect((await put("BIG", { onHand: 1_000_000 })).body.onHand).toBe(1_000_000);
  });

  it("refuses with 409 an on-hand count below what is reserved", async () => {
    await put("RESERVED-1", { onHand: 10 });
    await inventory.context.inTransaction((writer) =>
      reserve(
        writer,
        { orderId: "order-409", lines: [{ sku: "RESERVED-1", quantity: 4 }], ttlMs: 60_000 },
        { correlationId: "test" },
      ),
    );
    expectProblem(await put("RESERVED-1", { onHand: 3 }), 409, /4 units reserved/);
    expect((await get("RESERVED-1")).body).toEqual({
      sku: "RESERVED-1",
      onHand: 10,
      reserved: 4,
      available: 6,
    });
    expect((await put("RESERVED-1", { onHand: 4 })).body).toEqual({
      sku: "RESERVED-1",
      onHand: 4,
      reserved: 4,
      available: 0,
    });
  });
});

async function answer404(sku: string): Promise<number> {
  return (await get(sku)).status;
}

describe("access", () => {
  it("refuses customers with 403", async () => {
    expectProblem(await get("MUG-001", customer), 403, /admin/);
    expectProblem(await put("MUG-001", { onHand: 1 }, customer), 403, /admin/);
  });

  it("refuses no token, a tampered token and an expired token with 401", async () => {
    const [header, payload, signature] = customer.split(".");
    const promoted = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()), roles: ["admin"] }),
    ).toString("base64url");
    const tampered = `${header}.${promoted}.${signature}`;
    const expired = await authority.token({ roles: ["admin"], expiresIn: "-1m" });
    for (const token of [undefined, tampered, expired]) {
      expectProblem(await call("GET", "MUG-001", { token }), 401, /./);
      expectProblem(await call("PUT", "MUG-001", { token, body: { onHand: 1 } }), 401, /./);
    }
    expectProblem(await call("GET", "MUG-001", { authorization: "Basic dXNlcjpwYXNz" }), 401, /Bearer/);
    expect((await get("MUG-001")).body.onHand).toBe(5);
  });

  it("checks the token before it reads the body", async () => {
    expectProblem(await call("PUT", "MUG-001", { rawBody: "{not json" }), 401, /./);
  });
});
