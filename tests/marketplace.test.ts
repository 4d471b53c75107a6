import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { configureService } from "@mercato/platform";
import { startTestHost, type TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../apps/cli/src/services.ts";
import {
  type AwsCredentials,
  eventBridgeClient,
  send,
  signedPutEvents,
} from "../services/events/test/aws-client.ts";
import type { RoutedService } from "../services/gateway/src/domain/routes-table.ts";
import { gatewayService } from "../services/gateway/src/index.ts";
import { type Body, type ShopClient, startShop } from "./support/shop.ts";

/**
 * api.md, "Events in: marketplaces and sellers", end to end over HTTP: an admin makes an API key,
 * marketplaces and sellers put events with the AWS SDK and POST /api/events, and inventory sells
 * every channel from the one stock, as its ledger shows.
 */
describe("marketplaces and sellers selling from Mercato's stock", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let client: ShopClient;
  let admin: string;
  let key: Body;
  let credentials: AwsCredentials;

  beforeAll(async () => {
    shop = await startShop({
      services: selectServices([
        "gateway",
        "identity",
        "catalog",
        "inventory",
        "cart",
        "orders",
        "payments",
        "events",
      ]),
    });
    client = shop.client;
    admin = await client.adminToken();
    const created = await client.call("POST", "/api/api-keys", {
      token: admin,
      body: { name: "Marketplaces" },
    });
    expect(created.status).toBe(201);
    key = created.body;
    credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  });

  afterAll(async () => {
    await shop?.close();
  });

  const entry = (source: string, detailType: string, detail: unknown) => ({
    Source: source,
    DetailType: detailType,
    Detail: JSON.stringify(detail),
  });
  const order = (channel: string, externalOrderId: string, lines: { sku: string; quantity: number }[]) =>
    entry(`marketplace.${channel}`, "Marketplace Order Placed", { channel, externalOrderId, lines });
  const putWithKey = (entries: unknown[]) =>
    client.call("POST", "/api/events", { token: key.key, body: { Entries: entries } });
  const putWithSdk = async (entries: ReturnType<typeof entry>[]) => {
    const sdk = eventBridgeClient(client.url, credentials);
    try {
      return await sdk.send(new PutEventsCommand({ Entries: entries }));
    } finally {
      sdk.destroy();
    }
  };
  const ledger = async (sku: string) =>
    (await client.call("GET", `/api/inventory/${sku}/ledger?limit=100`, { token: admin })).body
      .items as Body[];
  /** Inventory's answers to a marketplace order, from the event log. */
  const answersTo = async (externalOrderId: string) => {
    const answers: Body[] = [];
    for (const type of ["Marketplace Order Accepted", "Marketplace Order Rejected"]) {
      const log = await client.call(
        "GET",
        `/api/ops/events?detailType=${encodeURIComponent(type)}&limit=100`,
        {
          token: admin,
        },
      );
      expect(log.status).toBe(200);
      answers.push(
        ...log.body.items.filter((event: Body) => event.detail.externalOrderId === externalOrderId),
      );
    }
    return answers;
  };
  const onHand = async (sku: string) => (await client.stock(sku)).onHand;

  it("takes a marketplace order's units exactly once however often and however it is sent", async () => {
    const product = await client.stockedProduct({ sku: "MKT-1", price: 1500, onHand: 10 });
    const placed = order("amazon", "AMZ-100", [{ sku: product.sku, quantity: 3 }]);
    const viaSdk = await putWithSdk([placed]);
    expect(viaSdk.FailedEntryCount).toBe(0);
    const viaKey = await putWithKey([placed, placed]);
    expect(viaKey.body).toMatchObject({ FailedEntryCount: 0 });
    const viaAdmin = await client.call("POST", "/api/events", { token: admin, body: { Entries: [placed] } });
    expect(viaAdmin.status).toBe(200);
    await expect.poll(() => onHand(product.sku)).toBe(7);
    await expect.poll(async () => (await answersTo("AMZ-100")).length).toBe(1);
    const [answer] = await answersTo("AMZ-100");
    expect(answer).toMatchObject({
      source: "mercato.inventory",
      "detail-type": "Marketplace Order Accepted",
      detail: { channel: "amazon", externalOrderId: "AMZ-100", lines: [{ sku: product.sku, quantity: 3 }] },
    });
    // The catalog learns the new availability like any other stock change.
    expect(await onHand(product.sku)).toBe(7);
  });

  it("rejects an order beyond the stock and takes nothing; a web checkout still sells the rest", async () => {
    const product = await client.stockedProduct({ sku: "MKT-2", price: 900, onHand: 2 });
    await putWithKey([order("ebay", "EB-1", [{ sku: product.sku, quantity: 3 }])]);
    await expect.poll(async () => (await answersTo("EB-1")).length).toBe(1);
    expect((await answersTo("EB-1"))[0]).toMatchObject({
      "detail-type": "Marketplace Order Rejected",
      detail: { reason: "out_of_stock", skus: [product.sku] },
    });
    await putWithKey([order("ebay", "EB-2", [{ sku: "NO-SUCH-SKU", quantity: 1 }])]);
    await expect.poll(async () => (await answersTo("EB-2"))[0]?.detail.reason).toBe("unknown_sku");
    expect(await onHand(product.sku)).toBe(2);

    const buyer = await client.register("Web buyer");
    await client.addToCart(buyer.token, product.id, 2);
    const checkout = await client.checkout(buyer.token);
    expect(checkout.status).toBe(202);
    await client.orderReaching(buyer.token, checkout.body.id, ["confirmed"]);
    await expect.poll(() => onHand(product.sku)).toBe(0);
    const web = (await ledger(product.sku)).find((item) => item.reason === "order");
    expect(web).toMatchObject({ change: -2, reference: { channel: "web", orderId: checkout.body.id } });
  });

  it("gives a cancelled order's units back once and a return's once, ignores stale levels, and the ledger tells it all", async () => {
    const product = await client.stockedProduct({ sku: "MKT-3", price: 700, onHand: 5 });
    await putWithSdk([order("zalando", "Z-9", [{ sku: product.sku, quantity: 4 }])]);
    await expect.poll(() => onHand(product.sku)).toBe(1);
    const cancel = entry("marketplace.zalando", "Marketplace Order Cancelled", {
      channel: "zalando",
      externalOrderId: "Z-9",
    });
    await putWithKey([cancel, cancel]);
    await putWithSdk([cancel]);
    await expect.poll(() => onHand(product.sku)).toBe(5);

    await putWithKey([order("zalando", "Z-10", [{ sku: product.sku, quantity: 2 }])]);
    await expect.poll(() => onHand(product.sku)).toBe(3);
    const returned = entry("marketplace.zalando", "Marketplace Return Received", {
      channel: "zalando",
      externalOrderId: "Z-10",
      returnId: "R-1",
      lines: [{ sku: product.sku, quantity: 1 }],
    });
    await putWithKey([returned, returned]);
    await putWithSdk([returned]);
    await expect.poll(() => onHand(product.sku)).toBe(4);

    const level = (onHandNow: number, asOf: string) =>
      entry("seller.acme", "Inventory Level Changed", { sku: product.sku, onHand: onHandNow, asOf });
    await putWithKey([level(20, "2024-05-01T10:00:00Z")]);
    await expect.poll(() => onHand(product.sku)).toBe(20);
    await putWithKey([level(1, "2024-05-01T09:00:00Z"), level(20, "2024-05-01T10:00:00Z")]);
    await putWithKey([order("zalando", "Z-11", [{ sku: product.sku, quantity: 1 }])]);
    await expect.poll(() => onHand(product.sku)).toBe(19);

    const items = await ledger(product.sku);
    expect(items.map((item) => [item.reason, item.change, item.reference.channel])).toEqual([
      ["marketplace-order", -1, "zalando"],
      ["adjustment", 16, "seller.acme"],
      ["return", 1, "zalando"],
      ["marketplace-order", -2, "zalando"],
      ["cancel", 4, "zalando"],
      ["marketplace-order", -4, "zalando"],
      ["adjustment", 5, "admin"],
    ]);
    expect(items.reduce((sum, item) => sum + item.change, 0)).toBe(19);
  });

  it("reports a malformed entry of a batch alone and publishes the others", async () => {
    const product = await client.stockedProduct({ sku: "MKT-4", price: 300, onHand: 3 });
    const answer = await putWithKey([
      order("amazon", "B-1", [{ sku: product.sku, quantity: 1 }]),
      { ...order("amazon", "B-2", []), Detail: "{broken" },
      entry("marketplace.amazon", "Marketplace Order Placed", { channel: "amazon" }),
      order("amazon", "B-3", [{ sku: product.sku, quantity: 1 }]),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.FailedEntryCount).toBe(2);
    expect(answer.body.Entries.map((result: Body) => result.ErrorCode ?? "ok")).toEqual([
      "ok",
      "MalformedDetail",
      "MalformedDetail",
      "ok",
    ]);
    await expect.poll(() => onHand(product.sku)).toBe(1);
  });

  it("refuses a wrong secret, a stale date and a replay over the AWS protocol, changing nothing", async () => {
    const product = await client.stockedProduct({ sku: "MKT-5", price: 300, onHand: 5 });
    const body = JSON.stringify({ Entries: [order("amazon", "S-1", [{ sku: product.sku, quantity: 1 }])] });
    const wrong = eventBridgeClient(client.url, { ...credentials, secretAccessKey: "not-the-secret" });
    try {
      await expect(
        wrong.send(
          new PutEventsCommand({ Entries: [order("amazon", "S-0", [{ sku: product.sku, quantity: 1 }])] }),
        ),
      ).rejects.toMatchObject({ name: "InvalidSignatureException" });
    } finally {
      wrong.destroy();
    }
    const stale = await send(
      await signedPutEvents(client.url, credentials, body, { signedAt: new Date(Date.now() - 10 * 60_000) }),
    );
    expect(stale).toMatchObject({ status: 400, body: { __type: "InvalidSignatureException" } });
    const signed = await signedPutEvents(client.url, credentials, body);
    expect((await send(signed)).status).toBe(200);
    expect(await send(signed)).toMatchObject({ status: 400, body: { __type: "InvalidSignatureException" } });
    await expect.poll(() => onHand(product.sku)).toBe(4);
    expect(await answersTo("S-0")).toEqual([]);
  });

  it("answers bad input with problems and changes nothing; customers and strangers are refused", async () => {
    const product = await client.stockedProduct({ sku: "MKT-6", price: 300, onHand: 5 });
    const customer = await client.register("Curious");
    const keysBefore = (await client.call("GET", "/api/api-keys?limit=100", { token: admin })).body.items
      .length;
    const cases: [string, string, Parameters<ShopClient["call"]>[2], number][] = [
      ["POST", "/api/events", { token: admin, rawBody: "{oops" }, 400],
      ["POST", "/api/events", { token: admin, body: { Entries: [] } }, 400],
      [
        "POST",
        "/api/events",
        { token: admin, body: { Entries: Array.from({ length: 11 }, () => order("a", "x", [])) } },
        400,
      ],
      [
        "POST",
        "/api/events",
        {
          token: customer.token,
          body: { Entries: [order("a", "C-1", [{ sku: product.sku, quantity: 1 }])] },
        },
        403,
      ],
      [
        "POST",
        "/api/events",
        { body: { Entries: [order("a", "C-2", [{ sku: product.sku, quantity: 1 }])] } },
        401,
      ],
      [
        "POST",
        "/api/events",
        {
          token: `mk_${"x".repeat(43)}`,
          body: { Entries: [order("a", "C-3", [{ sku: product.sku, quantity: 1 }])] },
        },
        401,
      ],
      ["POST", "/api/api-keys", { token: customer.token, body: { name: "mine" } }, 403],
      ["POST", "/api/api-keys", { token: admin, body: { name: "" } }, 400],
      ["GET", "/api/api-keys", { token: customer.token }, 403],
      ["DELETE", `/api/api-keys/${key.id}`, { token: customer.token }, 403],
      ["DELETE", "/api/api-keys/0192f0c4-1111-7000-8000-000000000000", { token: admin }, 404],
      ["GET", `/api/inventory/${product.sku}/ledger`, { token: customer.token }, 403],
      ["GET", `/api/inventory/${product.sku}/ledger?limit=500`, { token: admin }, 400],
      ["GET", "/api/inventory/NOT-STOCKED/ledger", { token: admin }, 404],
    ];
    for (const [method, url, options, status] of cases) {
      const answer = await client.call(method, url, options);
      expect(answer.status, `${method} ${url}`).toBe(status);
      expect(answer.headers.get("content-type"), `${method} ${url}`).toBe("application/problem+json");
    }
    expect((await client.call("GET", "/api/api-keys?limit=100", { token: admin })).body.items.length).toBe(
      keysBefore,
    );
    expect(await onHand(product.sku)).toBe(5);
    expect((await ledger(product.sku)).length).toBe(1);
  });

  it("stops a revoked key at once, on both protocols", async () => {
    const created = await client.call("POST", "/api/api-keys", {
      token: admin,
      body: { name: "Short-lived" },
    });
    const revoked = created.body;
    expect((await client.call("DELETE", `/api/api-keys/${revoked.id}`, { token: admin })).status).toBe(204);
    expect(
      (
        await client.call("POST", "/api/events", {
          token: revoked.key,
          body: { Entries: [order("a", "V-1", [])] },
        })
      ).status,
    ).toBe(401);
    const sdk = eventBridgeClient(client.url, {
      accessKeyId: revoked.accessKeyId,
      secretAccessKey: revoked.secretAccessKey,
    });
    try {
      await expect(
        sdk.send(new PutEventsCommand({ Entries: [entry("seller.x", "T", {})] })),
      ).rejects.toMatchObject({
        name: "UnrecognizedClientException",
      });
    } finally {
      sdk.destroy();
    }
  });
});

/** In the distributed topology the gateway forwards /aws/events; the signature still checks out. */
describe("the AWS SDK through a gateway in front of events in another process", () => {
  let events: TestHost;
  let gateway: TestHost;

  beforeAll(async () => {
    events = await startTestHost({ services: selectServices(["events"]) });
    gateway = await startTestHost({
      services: [
        configureService(gatewayService, {
          settings: {
            serviceUrls: new Map<RoutedService, string[]>([["events", [events.url]]]),
            requestsPerMinute: 10_000,
            cacheTtlMs: 0,
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await events?.close();
  });

  it("puts events with a key made through the gateway", async () => {
    const admin = await events.authority?.token({ roles: ["admin"] });
    const created = await events.call("POST", "/api/api-keys", {
      token: admin,
      body: { name: "Via gateway" },
    });
    expect(created.status).toBe(201);
    const sdk = eventBridgeClient(gateway.url, created.body);
    try {
      const answer = await sdk.send(
        new PutEventsCommand({ Entries: [entry("seller.acme", "Shelf Counted", { units: 1 })] }),
      );
      expect(answer.FailedEntryCount).toBe(0);
    } finally {
      sdk.destroy();
    }
  });

  function entry(source: string, detailType: string, detail: unknown) {
    return { Source: source, DetailType: detailType, Detail: JSON.stringify(detail) };
  }
});
