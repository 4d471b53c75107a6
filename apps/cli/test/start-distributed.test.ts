import { readFileSync } from "node:fs";
import { requireServer } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DistributedPlatform,
  distributedStartGuardMs,
  isRunning,
  startDistributedPlatform,
} from "../../../tests/support/distributed-platform.ts";
import { type ShopClient, shopClient } from "../../../tests/support/shop.ts";
import { serviceCatalog } from "../src/services.ts";
import { cli } from "./support/cli.ts";

const available = (await requireServer("postgres")) && (await requireServer("nats"));
const hangGuardMs = 240_000;

/**
 * `mercato start --distributed`, the way `npm run start:distributed` runs it: one process per
 * service on PostgreSQL and NATS, two inventory instances, the gateway in front, supervised.
 */
describe.skipIf(!available)("mercato start --distributed (PostgreSQL, NATS)", () => {
  let platform: DistributedPlatform;
  let shop: ShopClient;

  beforeAll(async () => {
    platform = await startDistributedPlatform({
      name: "start-distributed",
      instances: ["inventory=2"],
      env: { MERCATO_SEED: "demo" },
    });
    shop = shopClient(platform.url);
  }, distributedStartGuardMs);

  afterAll(() => platform?.close(), 60_000);

  it("runs every service in a process of its own, two for inventory, the gateway last", () => {
    const names = platform.started().map((entry) => entry.process);
    const services = serviceCatalog.map((service) => service.name).filter((name) => name !== "gateway");
    expect([...new Set(names)].sort()).toEqual([...services, "inventory-2", "gateway"].sort());
    expect(names.indexOf("gateway")).toBeGreaterThanOrEqual(services.length + 1);
    expect(new Set(platform.started().map((entry) => entry.pid)).size).toBe(names.length);
  });

  it("has the two inventories publish in one outbox order, and every single-process service in its own", () => {
    const outboxOrder = (name: string) => {
      const started = platform.started().find((entry) => entry.process === name);
      const environ = readFileSync(`/proc/${started?.pid}/environ`, "utf8").split("\0");
      return environ.find((entry) => entry.startsWith("MERCATO_OUTBOX_ORDER="));
    };
    expect(outboxOrder("inventory")).toBe("MERCATO_OUTBOX_ORDER=service");
    expect(outboxOrder("inventory-2")).toBe("MERCATO_OUTBOX_ORDER=service");
    expect(outboxOrder("orders")).toBeUndefined();
  });

  it(
    "sells through the gateway: a shopper registers, fills a cart and the order is confirmed",
    async () => {
      const product = await shop.stockedProduct({ sku: `DIST-${platform.prefix}`, price: 2_500, onHand: 5 });
      const customer = await shop.register();
      await shop.addToCart(customer.token, product.id, 2);
      const placed = await shop.checkout(customer.token);
      expect(placed.status).toBe(202);
      const order = await shop.orderReaching(customer.token, placed.body.id, ["confirmed", "rejected"]);
      expect(order).toMatchObject({ status: "confirmed", total: { amount: 5_000, currency: "EUR" } });
      // Inventory commits the reservation when it hears OrderConfirmed, a moment later.
      await expect
        .poll(() => shop.stock(product.sku), { timeout: 60_000, interval: 200 })
        .toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    },
    hangGuardMs,
  );

  it(
    "answers for every process at the gateway: queues, rules, dead letters, the event log, one OpenAPI document",
    async () => {
      const opsToken = await platform.opsToken();
      const ops = { headers: { authorization: `Bearer ${opsToken}` } };
      const queues = await shop.call("GET", "/api/ops/queues", ops);
      expect(queues.status).toBe(200);
      expect(queues.body.unavailable, JSON.stringify(queues.body.unavailable)).toBeUndefined();
      const names = (queues.body.items as { name: string }[]).map((queue) => queue.name);
      expect(names).toEqual(expect.arrayContaining(["orders-saga-answers", "payments-payment-requests"]));
      expect(new Set(names).size).toBe(names.length);

      const rules = await shop.call("GET", "/api/ops/rules", ops);
      expect((rules.body.items as { target: string }[]).map((rule) => rule.target)).toEqual(
        expect.arrayContaining(["orders-saga-answers", "payments-payment-requests"]),
      );
      const deadLetters = await shop.call(
        "GET",
        "/api/ops/queues/payments-payment-requests/dlq?limit=5",
        ops,
      );
      expect(deadLetters).toMatchObject({ status: 200, body: { items: [] } });
      const unknown = await shop.call("POST", "/api/ops/queues/no-such-queue/redrive", { ...ops, body: {} });
      expect(unknown).toMatchObject({ status: 404, body: { detail: "Queue no-such-queue does not exist" } });
      expect((await shop.call("GET", "/api/ops/queues")).status).toBe(401);

      const log = await shop.call("GET", "/api/ops/events?detailType=OrderConfirmed&limit=5", {
        token: await shop.adminToken(),
      });
      expect(log.status).toBe(200);
      expect(log.body.items.length).toBeGreaterThan(0);

      const document = await shop.call("GET", "/openapi.json");
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining([
          "/api/orders",
          "/api/cart",
          "/api/products",
          "/api/ops/queues",
          "/api/webhooks",
        ]),
      );
      expect(document.body["x-mercato-unavailable"]).toBeUndefined();
    },
    hangGuardMs,
  );

  it(
    "starts a service killed with -9 again, and the demo load carries on to the whole shop",
    async () => {
      await platform.printed(/"demoShop":"loading|loading the demo shop/);
      const catalog = platform.latest("catalog");
      const restarted = await platform.crash("catalog");
      expect(restarted.pid).not.toBe(catalog.pid);
      await platform.printed(
        new RegExp(`"process":"catalog","pid":${catalog.pid},"code":null,"signal":"SIGKILL"`),
      );

      await platform.printed(/"msg":"loaded the demo shop"/);
      const page = await shop.call("GET", "/api/categories");
      expect(page.status).toBe(200);
      const products = (page.body.items as { count: number }[]).reduce((sum, item) => sum + item.count, 0);
      // The demo shop's 220 products, and the one the checkout case created.
      expect(products).toBe(221);
    },
    hangGuardMs,
  );

  it(
    "stops every process at SIGTERM, the supervisor last, leaving none behind",
    async () => {
      const pids = platform.started().map((entry) => entry.pid);
      expect(await platform.stop()).toBe(0);
      expect(platform.output()).toMatch(/"msg":"every process has stopped"/);
      expect(platform.output()).not.toMatch(/"msg":"process ended; restarting"[^\n]*"code":0/);
      expect(pids.filter(isRunning)).toEqual([]);
    },
    hangGuardMs,
  );
});

describe("mercato start --distributed: what it refuses", () => {
  it("names the missing database and bus, and a bad --instances, with exit code 2", async () => {
    const refused = await cli(["start", "--distributed", "--instances", "inventory=0,gateway=2,nope"], {
      DATABASE_URL: "",
      BUS_URL: "",
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("DATABASE_URL must name the PostgreSQL server");
    expect(refused.stderr).toContain("BUS_URL must name the NATS server");
    expect(refused.stderr).toContain("--instances inventory=0 must be between 1 and 8");
    expect(refused.stderr).toContain('--instances names "gateway"; services that scale are identity');
    expect(refused.stderr).toContain('--instances "nope" must be <service>=<count>, like inventory=2');
  });

  it("refuses --instances without --distributed, and --service with it", async () => {
    expect(await cli(["start", "--instances", "inventory=2"])).toMatchObject({
      code: 2,
      stderr: "--instances needs --distributed\n",
    });
    expect(await cli(["start", "--distributed", "--service", "catalog"])).toMatchObject({
      code: 2,
      stderr: "--distributed runs every service; it cannot be combined with --service\n",
    });
  });
});
