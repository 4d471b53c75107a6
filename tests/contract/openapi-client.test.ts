import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import createClient from "openapi-fetch";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from "vitest";
import type { components, paths } from "../../apps/web/src/api/openapi-types.ts";
import { address, startShop } from "../support/shop.ts";

/**
 * The HTTP contract as clients meet it: /openapi.json passes Redocly's recommended rules, the client
 * types committed in tests/client/ are generated from it, and a client built on them checks out.
 * `npm run api:types` regenerates the types.
 */
const typesFile = path.join(import.meta.dirname, "../../apps/web/src/api/openapi-types.ts");
const redocly = path.join(import.meta.dirname, "../../node_modules/.bin/redocly");

/**
 * Redocly's recommended rules, all of them but one (docs/architecture-notes.md, "HTTP contract"):
 * the project has chosen no license, and which one to grant is its owners' decision, not the
 * document's; `info.license` is added when they choose.
 */
const lintConfig = "extends:\n  - recommended\nrules:\n  info-license: off\n";

let shop: Awaited<ReturnType<typeof startShop>>;
let document: Record<string, unknown>;

beforeAll(async () => {
  shop = await startShop();
  const answer = await shop.client.call("GET", "/openapi.json");
  expect(answer.status).toBe(200);
  document = answer.body;
});

afterAll(async () => {
  await shop?.close();
});

async function clientTypes(openapi: Record<string, unknown>): Promise<string> {
  const header = "// Generated from /openapi.json by `npm run api:types`: do not edit.\n\n";
  return header + astToString(await openapiTS(openapi as unknown as Parameters<typeof openapiTS>[0]));
}

describe("the OpenAPI document", () => {
  test("passes Redocly's recommended rules without errors or warnings", async () => {
    const directory = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-openapi-"));
    try {
      const file = path.join(directory, "openapi.json");
      const config = path.join(directory, "redocly.yaml");
      await fs.writeFile(file, JSON.stringify(document));
      await fs.writeFile(config, lintConfig);
      const { stdout } = await promisify(execFile)(
        redocly,
        ["lint", file, "--config", config, "--format=json"],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
      const report = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; severity: string; message: string }[];
      };
      expect(report.problems.filter((problem) => problem.severity === "error")).toEqual([]);
      expect(report.totals.errors).toBe(0);
      expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
      expect(report.totals.warnings).toBe(0);
    } finally {
      await fs.rm(directory, { recursive: true, force: true });
    }
  });

  test("generates the client types committed in apps/web/src/api (npm run api:types)", async () => {
    const generated = await clientTypes(document);
    if (process.env.UPDATE_API_TYPES === "1") await fs.writeFile(typesFile, generated);
    expect(generated, "stale: run npm run api:types").toBe(await fs.readFile(typesFile, "utf8"));
  });
});

describe("a client generated from the document", () => {
  test("registers, checks out and reads its order; errors are problems", async () => {
    const api = createClient<paths>({ baseUrl: shop.client.url });
    const product = await shop.client.stockedProduct({ sku: "TYPED-1", price: 1250, onHand: 5 });

    const registered = await api.POST("/api/auth/register", {
      body: { email: `typed-${Date.now()}@example.com`, password: "correct horse battery", name: "Typed" },
    });
    const session: components["schemas"]["Session"] | undefined = registered.data;
    expect(registered.response.status).toBe(201);
    const headers = { authorization: `Bearer ${session?.accessToken}` };

    await expect
      .poll(
        async () =>
          (await api.POST("/api/cart/items", { headers, body: { productId: product.id, quantity: 2 } }))
            .response.status,
      )
      .toBe(200);
    const cart: components["schemas"]["Cart"] | undefined = (await api.GET("/api/cart", { headers })).data;
    expect(cart?.subtotal).toEqual({ amount: 2500, currency: "EUR" });

    const placed = await api.POST("/api/orders", {
      headers,
      params: { header: { "idempotency-key": crypto.randomUUID() } },
      body: { shippingAddress: address, payment: { token: "tok_visa" } },
    });
    expect(placed.response.status).toBe(202);
    const order: components["schemas"]["Order"] | undefined = placed.data;
    expect(order?.items).toHaveLength(1);

    const read = await api.GET("/api/orders/{id}", { headers, params: { path: { id: order?.id ?? "" } } });
    expect(read.data?.id).toBe(order?.id);

    const missing = await api.GET("/api/products/{id}", { params: { path: { id: "no-such-product" } } });
    // Checked by tsc: every error answer is a Problem, never `undefined` or `unknown`.
    expectTypeOf(missing.error).toEqualTypeOf<components["schemas"]["Problem"] | undefined>();
    expectTypeOf(placed.error).toEqualTypeOf<components["schemas"]["Problem"] | undefined>();
    const problem = missing.error;
    expect(problem?.status).toBe(404);
    expect(problem?.detail).toContain("no-such-product");

    const refused = await api.POST("/api/orders", {
      params: { header: { "idempotency-key": crypto.randomUUID() } },
      body: { shippingAddress: address, payment: { token: "tok_visa" } },
    });
    expect(refused.error?.status).toBe(401);
  });
});
