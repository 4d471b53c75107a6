/**
 * A benchmark server: the gateway and catalog on PostgreSQL, in a process of its own. With
 * BENCH_SEED=1 it first loads the demo products; it prints one JSON line with its address and a
 * product id, then serves until killed.
 */
import { catalogService } from "@mercato/catalog";
import { gatewayService } from "@mercato/gateway";
import { startTestHost } from "@mercato/platform/testing";
import { demoProducts } from "../../apps/cli/src/seed/demo-catalog.ts";
import { demoImagePng } from "../../apps/cli/src/seed/demo-image.ts";

// The configuration comes from the environment the benchmark gives (embedded, or PostgreSQL + NATS).
const { host, authority } = await startTestHost({
  services: [gatewayService, catalogService],
  env: process.env,
  ...(process.env.MERCATO_DATA_DIR ? { dataDir: process.env.MERCATO_DATA_DIR } : {}),
});
if (!authority) throw new Error("the benchmark signs its own tokens");
const admin = `Bearer ${await authority.token({ roles: ["admin"] })}`;

if (process.env.BENCH_SEED === "1") {
  for (const product of demoProducts()) {
    const { initialStock: _stock, ...fields } = product;
    const created = await host.app.inject({
      method: "POST",
      url: "/api/products",
      headers: { authorization: admin, "content-type": "application/json" },
      payload: JSON.stringify(fields),
    });
    if (created.statusCode !== 201) throw new Error(`seed failed: ${created.statusCode} ${created.body}`);
    await host.app.inject({
      method: "POST",
      url: `/api/products/${created.json().id}/images`,
      headers: { authorization: admin, "content-type": "image/png" },
      payload: demoImagePng(product),
    });
  }
}
const page = await host.app.inject({
  method: "GET",
  url: "/api/products?limit=1",
  headers: { authorization: admin },
});
const first = page.json().items[0];
console.log(JSON.stringify({ url: host.url, productId: first?.id }));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    host.close().finally(() => process.exit(0));
  });
}
