import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DistributedPlatform } from "./support/distributed-platform.ts";
import { type ReceivedSpan, spanKind, startOtlpReceiver } from "./support/otlp-receiver.ts";
import type { ShopClient } from "./support/shop.ts";

/**
 * Issue 13, tracing: one checkout is one trace across gateway, orders, cart, inventory and payments,
 * exported over OTLP/HTTP to a receiver in this process; first with every service in this process
 * on PostgreSQL and NATS, then with one process per service as `mercato start --distributed` runs
 * them from the bundle.
 *
 * The SDK must run before `pg` is first loaded (docs/observability.md), so it starts here before
 * anything that imports the platform, which is imported afterwards.
 */
const receiver = await startOtlpReceiver();
const exporterEnv = {
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  // Spans leave each process a tenth of a second after they end, not five seconds.
  OTEL_BSP_SCHEDULE_DELAY: "100",
};
Object.assign(process.env, exporterEnv);
const { startTracing } = await import("@mercato/platform/tracing");
startTracing({ services: [] });
const { captureLogs, requireServer } = await import("@mercato/platform/testing");
const { shutdownTracing } = await import("@mercato/platform");
const { address, shopClient, startShop } = await import("./support/shop.ts");
const { startDistributedPlatform } = await import("./support/distributed-platform.ts");

const available = (await requireServer("postgres")) && (await requireServer("nats"));
const hangGuardMs = 240_000;

afterAll(async () => {
  await shutdownTracing();
  await receiver.close();
});

const pgScope = "@opentelemetry/instrumentation-pg";
const undiciScope = "@opentelemetry/instrumentation-undici";

/** A trace context of the test's own, sent as the checkout's `traceparent`. */
function testTraceContext() {
  const traceId = randomBytes(16).toString("hex");
  const parentId = randomBytes(8).toString("hex");
  return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01` };
}

/** A shopper buys one product; the order is placed with `traceparent` and reaches confirmed. */
async function checkout(shop: ShopClient, sku: string, traceparent: string): Promise<void> {
  const product = await shop.stockedProduct({ sku, price: 1_500, onHand: 3 });
  const customer = await shop.register();
  await shop.addToCart(customer.token, product.id, 1);
  const placed = await shop.call("POST", "/api/orders", {
    token: customer.token,
    headers: { "idempotency-key": crypto.randomUUID(), traceparent },
    body: {
      shippingAddress: address,
      payment: { token: "tok_visa" },
    },
  });
  expect(placed.status).toBe(202);
  const order = await shop.orderReaching(customer.token, placed.body.id, ["confirmed", "rejected"]);
  expect(order.status).toBe("confirmed");
}

/**
 * What the checkout's trace still lacks, empty once complete: every span's parent is in the trace
 * (only the entry request's parent is the test's own context), a consumer's parent is a producer,
 * and each of `expected` holds for some span.
 */
function gaps(
  spans: ReceivedSpan[],
  root: { traceId: string; parentId: string },
  expected: Record<string, (span: ReceivedSpan) => boolean>,
): string[] {
  const trace = spans.filter((span) => span.traceId === root.traceId);
  const byId = new Map(trace.map((span) => [span.spanId, span]));
  const problems: string[] = [];
  const entries = trace.filter((span) => span.parentSpanId === root.parentId);
  if (entries.length !== 1) problems.push(`${entries.length} spans continue the request's traceparent`);
  for (const span of trace) {
    if (span.parentSpanId === root.parentId) continue;
    const parent = byId.get(span.parentSpanId);
    if (!parent)
      problems.push(`${span.service} ${span.name}: parent ${span.parentSpanId || "(none)"} missing`);
    else if (span.kind === spanKind.consumer && parent.kind !== spanKind.producer) {
      problems.push(`${span.service} ${span.name}: parent ${parent.name} is not a producer`);
    }
  }
  for (const [name, holds] of Object.entries(expected)) if (!trace.some(holds)) problems.push(`no ${name}`);
  return problems;
}

const consumedIn = (queue: string) => (span: ReceivedSpan) =>
  span.kind === spanKind.consumer && span.attributes["messaging.destination.name"] === queue;

describe("tracing a checkout, every service in this process (embedded: PGlite, embedded bus)", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;

  beforeAll(async () => {
    shop = await startShop();
  }, hangGuardMs);

  afterAll(() => shop?.close(), 60_000);

  it(
    "is one connected trace with HTTP and bus spans, and no SQL spans: PGlite has no driver to instrument",
    async () => {
      const root = testTraceContext();
      await checkout(shop.client, `TRACE-EMB-${process.pid}`, root.traceparent);
      const expected: Record<string, (span: ReceivedSpan) => boolean> = {
        "POST /api/orders server span": (span) =>
          span.kind === spanKind.server && span.name === "POST /api/orders",
        "GET /api/cart server span": (span) => span.kind === spanKind.server && span.name === "GET /api/cart",
        "inventory consuming OrderPlaced": consumedIn("inventory-order-stock"),
        "payments consuming an event": (span) =>
          span.kind === spanKind.consumer && span.name.startsWith("process payments-"),
        "cart consuming OrderConfirmed": (span) =>
          span.kind === spanKind.consumer && span.name.startsWith("process cart-"),
      };
      await expect.poll(() => gaps(receiver.spans(), root, expected), { interval: 200 }).toEqual([]);
      const trace = receiver.spans().filter((span) => span.traceId === root.traceId);
      expect(trace.filter((span) => span.scope === pgScope)).toEqual([]);
    },
    hangGuardMs,
  );
});

describe.skipIf(!available)("tracing a checkout, every service in this process (PostgreSQL, NATS)", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  const logs = captureLogs("info");

  beforeAll(async () => {
    shop = await startShop({
      distributed: { prefix: `ttrace${process.pid}${Date.now() % 100_000}` },
      logger: logs.logger,
    });
  }, hangGuardMs);

  afterAll(() => shop?.close(), 60_000);

  it(
    "is one connected trace from the request's traceparent through every event, with HTTP, bus and SQL spans",
    async () => {
      const root = testTraceContext();
      await checkout(shop.client, `TRACE-IN-${process.pid}`, root.traceparent);
      const expected: Record<string, (span: ReceivedSpan) => boolean> = {
        "POST /api/orders server span": (span: ReceivedSpan) =>
          span.kind === spanKind.server && span.name === "POST /api/orders",
        "call from orders to cart": (span: ReceivedSpan) =>
          span.scope === undiciScope && span.kind === spanKind.client,
        "GET /api/cart server span": (span: ReceivedSpan) =>
          span.kind === spanKind.server && span.name === "GET /api/cart",
        "OrderPlaced producer span": (span: ReceivedSpan) =>
          span.kind === spanKind.producer && span.name === "create OrderPlaced",
        "inventory consuming OrderPlaced": consumedIn("inventory-order-stock"),
        "orders consuming an event": (span) =>
          span.kind === spanKind.consumer && span.name.startsWith("process orders-"),
        "payments consuming an event": (span) =>
          span.kind === spanKind.consumer && span.name.startsWith("process payments-"),
        "cart consuming OrderConfirmed": (span) =>
          span.kind === spanKind.consumer && span.name.startsWith("process cart-"),
        "SQL statement span": (span: ReceivedSpan) => span.scope === pgScope,
      };
      await expect.poll(() => gaps(receiver.spans(), root, expected), { interval: 200 }).toEqual([]);
      // The request's log line ("order placed") names the trace.
      expect(logs.text()).toContain(`"trace_id":"${root.traceId}"`);
    },
    hangGuardMs,
  );
});

describe.skipIf(!available)(
  "tracing a checkout, one process per service (mercato start --distributed)",
  () => {
    let platform: DistributedPlatform;
    let shop: ShopClient;

    beforeAll(async () => {
      platform = await startDistributedPlatform({ name: "tracing", env: exporterEnv });
      shop = shopClient(platform.url);
    }, hangGuardMs);

    afterAll(() => platform?.close(), 60_000);

    it(
      "is one connected trace across the gateway, orders, cart, inventory and payments processes",
      async () => {
        const root = testTraceContext();
        await checkout(shop, `TRACE-DIST-${platform.prefix}`, root.traceparent);
        const inService = (service: string, holds: (span: ReceivedSpan) => boolean) => (span: ReceivedSpan) =>
          span.service === `mercato-${service}` && holds(span);
        const server = (span: ReceivedSpan) => span.kind === spanKind.server;
        const consumer = (span: ReceivedSpan) => span.kind === spanKind.consumer;
        const producer = (span: ReceivedSpan) => span.kind === spanKind.producer;
        const sql = (span: ReceivedSpan) => span.scope === pgScope;
        const expected = {
          "gateway server span": inService("gateway", server),
          "gateway forwarding to orders": inService("gateway", (span) => span.scope === undiciScope),
          "orders server span": inService("orders", server),
          "orders calling cart": inService("orders", (span) => span.scope === undiciScope),
          "cart server span": inService("cart", server),
          "orders SQL": inService("orders", sql),
          "orders producer": inService("orders", producer),
          "orders consumer": inService("orders", consumer),
          "inventory consumer": inService("inventory", consumer),
          "inventory SQL": inService("inventory", sql),
          "inventory producer": inService("inventory", producer),
          "payments consumer": inService("payments", consumer),
          "payments SQL": inService("payments", sql),
          "payments producer": inService("payments", producer),
          "cart consumer": inService("cart", consumer),
        };
        await expect.poll(() => gaps(receiver.spans(), root, expected), { interval: 200 }).toEqual([]);
        const entry = receiver.spans().find((span) => span.parentSpanId === root.parentId);
        expect(entry).toMatchObject({
          service: "mercato-gateway",
          kind: spanKind.server,
          name: "POST /api/orders",
        });
        expect(platform.output()).toContain(`"trace_id":"${root.traceId}"`);
      },
      hangGuardMs,
    );
  },
);
