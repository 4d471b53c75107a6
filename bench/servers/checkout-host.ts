/**
 * A benchmark server: catalog, inventory, cart, orders and payments in one process, on the
 * embedded defaults or on PostgreSQL + NATS (from the environment). It stocks one product, fills
 * BENCH_USERS carts with one unit each, prints one JSON line `{ url, tokens }`, then prints a line
 * `{ orderId, status, at }` whenever an order is confirmed or rejected, until killed.
 */
import { cartService } from "@mercato/cart";
import { catalogService } from "@mercato/catalog";
import { inventoryService } from "@mercato/inventory";
import { ordersService } from "@mercato/orders";
import { paymentsService } from "@mercato/payments";
import { startTestHost } from "@mercato/platform/testing";
import { startTracing } from "@mercato/platform/tracing";

const users = Number(process.env.BENCH_USERS ?? 4000);
const services = [catalogService, inventoryService, cartService, ordersService, paymentsService];
// With OTEL_EXPORTER_OTLP_ENDPOINT (the checkout benchmark's measure with tracing). Started after
// the imports, which is early enough here: the embedded defaults have no pg driver to instrument.
startTracing({ services: services.map((service) => service.name) });
// The configuration comes from the environment the benchmark gives (embedded, or PostgreSQL + NATS).
const { host, authority } = await startTestHost({
  services,
  env: process.env,
  ...(process.env.MERCATO_DATA_DIR ? { dataDir: process.env.MERCATO_DATA_DIR } : {}),
});
if (!authority) throw new Error("the benchmark signs its own tokens");

const outcomes = "bench-order-outcomes";
await host.transport.declareQueue({
  name: outcomes,
  visibilityTimeoutMs: 30_000,
  maxReceiveCount: 5,
  backoff: { baseMs: 10, maxMs: 100 },
});
await host.transport.putRule({
  name: outcomes,
  eventPattern: { source: ["mercato.orders"], "detail-type": ["OrderConfirmed", "OrderRejected"] },
  queue: outcomes,
});

async function call(
  method: string,
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await host.app.inject({
    method: method as "POST",
    url,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, json: response.json() };
}

const admin = await authority.token({ roles: ["admin"] });
const created = await call("POST", "/api/products", admin, {
  sku: "BENCH-1",
  name: "Benchmark mug",
  category: "Bench",
  price: { amount: 1250, currency: "EUR" },
});
if (created.status !== 201) throw new Error(`product: ${created.status} ${JSON.stringify(created.json)}`);
const productId = (created.json as { id: string }).id;
const stocked = await call("PUT", "/api/inventory/BENCH-1", admin, { onHand: 1_000_000 });
if (stocked.status !== 200) throw new Error(`stock: ${stocked.status}`);

const tokens = await Promise.all(Array.from({ length: users }, () => authority.token({ expiresIn: "2h" })));
// Cart knows the product once catalog's event reached it.
for (let added = 0; added < users; ) {
  const batch = tokens.slice(added, added + 50);
  const answers = await Promise.all(
    batch.map((token) => call("POST", "/api/cart/items", token, { productId, quantity: 1 })),
  );
  if (answers.every((answer) => answer.status === 200)) added += batch.length;
  else if (answers.some((answer) => answer.status !== 404))
    throw new Error(`cart: ${JSON.stringify(answers[0])}`);
  else await new Promise((resolve) => setTimeout(resolve, 50));
}

await host.transport.consume(outcomes, async (delivery) => {
  const { detail } = delivery.event as { detail: { orderId: string } };
  const status = delivery.event["detail-type"] === "OrderConfirmed" ? "confirmed" : "rejected";
  process.stdout.write(`${JSON.stringify({ orderId: detail.orderId, status, at: Date.now() })}\n`);
});
console.log(JSON.stringify({ url: host.url, tokens }));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    host.close().finally(() => process.exit(0));
  });
}
