import { removeNatsResources } from "@mercato/platform/nats";
import {
  createTestAuthority,
  dropServiceDatabases,
  externalServices,
  requireServer,
  type TestAuthority,
} from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../apps/cli/src/services.ts";
import { type Body, type ShopClient, startShop } from "./support/shop.ts";

const available = (await requireServer("postgres")) && (await requireServer("nats"));

const stock = 60;
const webBuyers = 100;
const marketplaceOrders = 100;
const channels = ["amazon", "ebay", "zalando"];

/**
 * One inventory for every channel, on PostgreSQL and NATS: 100 web checkouts and 100 marketplace
 * orders from three channels race for one sku with 60 units, one unit each. Exactly 60 are sold
 * across all channels, none oversold, and the ledger adds up to the stock.
 */
describe.runIf(available)(
  "web checkouts and marketplace orders racing for one sku on PostgreSQL and NATS",
  () => {
    const prefix = `tmkt${process.pid}${Date.now() % 100_000}`;
    const services = selectServices(["catalog", "inventory", "cart", "orders", "payments", "events"]);
    let shop: Awaited<ReturnType<typeof startShop>>;
    let client: ShopClient;
    let auth: TestAuthority;

    beforeAll(async () => {
      auth = await createTestAuthority();
      shop = await startShop({ distributed: { prefix }, auth, services });
      client = shop.client;
    });

    afterAll(async () => {
      if (shop) await shop.close();
      else {
        // A start that outlived its hook never handed the shop over: what it made goes by its prefix.
        await dropServiceDatabases(
          services.map((service) => service.name),
          prefix,
        );
        await removeNatsResources({ url: externalServices.nats.url, prefix });
      }
    });

    it("sells exactly the 60 units across all channels and the ledger sums to the stock", async () => {
      const admin = await client.adminToken();
      const product = await client.stockedProduct({ sku: "RACE-1", price: 2500, onHand: stock });
      const key = (await client.call("POST", "/api/api-keys", { token: admin, body: { name: "race" } })).body;
      const tokens = await Promise.all(Array.from({ length: webBuyers }, () => auth.token()));
      for (let start = 0; start < webBuyers; start += 25) {
        await Promise.all(
          tokens.slice(start, start + 25).map((token) => client.addToCart(token, product.id, 1)),
        );
      }
      const externalOrder = (index: number) => {
        const channel = channels[index % channels.length] as string;
        const detail = {
          channel,
          externalOrderId: `EXT-${index}`,
          lines: [{ sku: product.sku, quantity: 1 }],
        };
        return {
          Source: `marketplace.${channel}`,
          DetailType: "Marketplace Order Placed",
          Detail: JSON.stringify(detail),
        };
      };

      const [placed, put] = await Promise.all([
        Promise.all(tokens.map((token) => client.checkout(token))),
        Promise.all(
          Array.from({ length: marketplaceOrders }, (_, index) =>
            client.call("POST", "/api/events", { token: key.key, body: { Entries: [externalOrder(index)] } }),
          ),
        ),
      ]);
      expect(placed.map((answer) => answer.status)).toEqual(Array(webBuyers).fill(202));
      expect(put.map((answer) => answer.body.FailedEntryCount)).toEqual(Array(marketplaceOrders).fill(0));

      const finals: Body[] = await Promise.all(
        placed.map((answer, index) =>
          client.orderReaching(tokens[index] as string, answer.body.id, ["confirmed", "rejected"]),
        ),
      );
      const confirmed = finals.filter((order) => order.status === "confirmed").length;
      const answers = async (type: string) =>
        (
          await client.call("GET", `/api/ops/events?detailType=${encodeURIComponent(type)}&limit=100`, {
            token: admin,
          })
        ).body.items as Body[];
      await expect
        .poll(
          async () =>
            (await answers("Marketplace Order Accepted")).length +
            (await answers("Marketplace Order Rejected")).length,
        )
        .toBe(marketplaceOrders);
      const accepted = await answers("Marketplace Order Accepted");
      const rejected = await answers("Marketplace Order Rejected");
      expect(new Set(rejected.map((event) => event.detail.reason))).toEqual(new Set(["out_of_stock"]));

      expect(confirmed + accepted.length).toBe(stock);
      await expect
        .poll(() => client.stock(product.sku))
        .toEqual({ sku: product.sku, onHand: 0, reserved: 0, available: 0 });

      const ledger: Body[] = [];
      let cursor: string | null = null;
      do {
        const page: Body = await client.call(
          "GET",
          `/api/inventory/${product.sku}/ledger?limit=100${cursor ? `&cursor=${cursor}` : ""}`,
          { token: admin },
        );
        ledger.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(ledger.reduce((sum, item) => sum + item.change, 0)).toBe(0);
      expect(ledger.reduce((sum, item) => sum + item.reservedChange, 0)).toBe(0);
      const sold = ledger.filter((item) => item.reason === "order" || item.reason === "marketplace-order");
      expect(sold.reduce((sum, item) => sum - item.change, 0)).toBe(stock);
      expect(ledger.filter((item) => item.reason === "order")).toHaveLength(confirmed);
      const byChannel = ledger
        .filter((item) => item.reason === "marketplace-order")
        .map((item) => item.reference.channel)
        .sort();
      expect(byChannel).toEqual(accepted.map((event) => event.detail.channel).sort());
    }, 300_000);
  },
);
