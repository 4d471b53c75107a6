import { configureService } from "@mercato/platform";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../../apps/cli/src/services.ts";
import { type Receiver, startReceiver } from "../../services/webhooks/test/receiver.ts";
import { startShop } from "../support/shop.ts";
import { chromiumAvailable, expectAccessible, launchBrowser, screenshot, signedInPage } from "./browser.ts";

const runs = chromiumAvailable();

const admin = { email: "admin@mercato.local", password: "mercato-admin" };

/** A 1×1 PNG: the smallest image the catalog's decoder accepts. */
const onePixelPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe.skipIf(!runs)("the console's administration screens in a browser", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    // Every service, with webhooks allowed to post to the receiver on 127.0.0.1.
    const services = selectServices().map((service) =>
      service.name === "webhooks"
        ? configureService(service, { settings: { allowedHosts: new Set(["127.0.0.1"]) } })
        : service,
    );
    [shop, browser] = await Promise.all([startShop({ services }), launchBrowser("console-admin")]);
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await receiver?.close();
  });

  async function adminPage(viewport?: { width: number; height: number }): Promise<Page> {
    return (await signedInPage(browser, shop.client, admin, viewport ? { viewport } : {})).page;
  }

  const consoleLink = (page: Page, name: string) =>
    page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true });

  it("ships and delivers a shopper's order, shows its saga timeline and receives its return", async () => {
    const product = await shop.client.stockedProduct({ sku: "CONSOLE-SHIP-1", price: 2500, onHand: 5 });
    const customer = await shop.client.register("Grace Hopper");
    await shop.client.addToCart(customer.token, product.id, 2);
    const placed = await shop.client.checkout(customer.token);
    expect(placed.status).toBe(202);
    const orderId: string = placed.body.id;
    await shop.client.orderReaching(customer.token, orderId, ["confirmed"]);

    const page = await adminPage();
    await page.goto(`${shop.client.url}/console`);
    await consoleLink(page, "Orders").click();
    await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
    const row = page
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: `Order …${orderId.slice(-8)}` }) });
    await row.getByLabel("Carrier").fill("DHL");
    await row.getByLabel("Tracking number").fill("JD0123456789");
    await row.getByRole("button", { name: /^Ship/ }).click();
    await row.getByTestId("order-status").filter({ hasText: "shipped" }).waitFor();
    expect(
      (await shop.client.call("GET", `/api/orders/${orderId}`, { token: customer.token })).body.status,
    ).toBe("shipped");
    await expectAccessible(page, "console orders");
    await screenshot(page, "orders-shipped");

    await row.getByRole("button", { name: /^Mark delivered/ }).click();
    await row.getByTestId("order-status").filter({ hasText: "delivered" }).waitFor();
    await page.getByLabel("Status").selectOption("delivered");
    await row.waitFor();
    await page.getByLabel("Status").selectOption("pending");
    await page.getByText("No orders pending.").waitFor();

    const requested = await shop.client.call("POST", `/api/orders/${orderId}/returns`, {
      token: customer.token,
      body: { items: [{ productId: product.id, quantity: 1 }], reason: "Too small" },
    });
    expect(requested.status).toBe(202);

    await page.goto(`${shop.client.url}/console/orders/${orderId}`);
    const steps = page.getByRole("list", { name: "Saga steps, oldest first" });
    for (const step of ["Order placed", "Stock reserved", "Payment authorized", "Order confirmed"])
      await steps.getByText(step, { exact: true }).waitFor();
    await steps.getByText("Carrier DHL, tracking number JD0123456789").waitFor();
    await steps.getByText("Order delivered", { exact: true }).waitFor();
    await steps.getByText("Return requested", { exact: true }).waitFor();
    await page.getByTestId("order-status").filter({ hasText: "delivered" }).waitFor();

    await page.getByRole("button", { name: /^Receive return/ }).click();
    await page.getByRole("status").filter({ hasText: "received; the refund and restock follow" }).waitFor();
    await steps.getByText("Return received", { exact: true }).waitFor();
    await page.getByText("Received", { exact: true }).waitFor();
    // The event's detail is shown on request, as labelled, indented JSON.
    await steps.getByText("Event detail of Return requested").click();
    await steps.getByText('"reason": "Too small"').waitFor();
    await expectAccessible(page, "console order");
    await screenshot(page, "order-timeline");
  });

  it("creates a product, edits it, adds an image, sets its stock, and the storefront search finds it", async () => {
    const page = await adminPage();
    await page.goto(`${shop.client.url}/console/products`);
    await page.getByText("Add a product").click();
    const form = page.getByRole("form", { name: "New product" });
    await form.getByLabel("Name").fill("Console Lamp");
    await form.getByLabel("SKU").fill("CONSOLE-LAMP-1");
    await form.getByLabel("Category").fill("Lighting");
    await form.getByLabel("Price").fill("24.50");
    await form.getByLabel("Description").fill("A lamp added from the console.");
    await form.getByRole("button", { name: "Create product" }).click();
    await page.getByRole("heading", { name: "Console Lamp", level: 1 }).waitFor();
    const productId = page.url().split("/").at(-1) as string;

    const edit = page.getByRole("form", { name: "Edit product" });
    await edit.getByLabel("Price").fill("19.99");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();

    await page.getByText(`No stock is recorded for CONSOLE-LAMP-1 yet.`).waitFor();
    await page.getByLabel("Units on hand").fill("7");
    await page.getByRole("button", { name: "Set on hand" }).click();
    await page
      .getByTestId("stock-levels")
      .filter({ hasText: "On hand 7, reserved 0, available 7" })
      .waitFor();
    await page.getByRole("cell", { name: "Adjustment" }).waitFor();

    await page.getByLabel(/^Image file/).setInputFiles({
      name: "lamp.png",
      mimeType: "image/png",
      buffer: onePixelPng,
    });
    await page.getByRole("button", { name: "Upload image" }).click();
    await page.getByRole("status").filter({ hasText: "Uploaded lamp.png." }).waitFor();
    await page.getByRole("img", { name: "Console Lamp (1 of 1)" }).waitFor();
    await expectAccessible(page, "console product");
    await screenshot(page, "product");

    await expect
      .poll(async () => {
        const found = await shop.client.call("GET", "/api/products?q=console%20lamp");
        const item = found.body.items?.find((candidate: { id: string }) => candidate.id === productId);
        return item && { price: item.price.amount, inStock: item.inStock, images: item.images.length };
      })
      .toEqual({ price: 1999, inStock: true, images: 1 });

    await consoleLink(page, "Products").click();
    await page.getByText("Add a product").click();
    await form.getByLabel("Name").fill("Second Lamp");
    await form.getByLabel("SKU").fill("CONSOLE-LAMP-1");
    await form.getByLabel("Category").fill("Lighting");
    await form.getByLabel("Price").fill("not a price");
    await form.getByRole("button", { name: "Create product" }).click();
    await form.getByRole("alert").filter({ hasText: "The price must be a number like 12.50." }).waitFor();
    await form.getByLabel("Price").fill("5");
    await form.getByRole("button", { name: "Create product" }).click();
    // The API's reason, as a sentence.
    await form
      .getByRole("alert")
      .filter({ hasText: "Another product already has sku CONSOLE-LAMP-1" })
      .waitFor();

    await page.getByLabel("Search products").fill("console lamp");
    await page.getByRole("link", { name: "Console Lamp" }).click();
    await page.getByRole("button", { name: "Delete product" }).click();
    await page.getByRole("button", { name: "Yes, delete it" }).click();
    await page.getByRole("heading", { name: "Products", level: 1 }).waitFor();
    expect((await shop.client.call("GET", `/api/products/${productId}`)).status).toBe(404);
    await expectAccessible(page, "console products");
  });

  it("creates a webhook, shows its secret once, lists its deliveries, disables and deletes it", async () => {
    const page = await adminPage();
    await page.goto(`${shop.client.url}/console/webhooks`);
    await page.getByText("No webhooks yet.").waitFor();
    await page.getByText("Add a webhook").click();
    await page.getByLabel("Receiver URL").fill(`${receiver.url}/catalog`);
    await page.getByLabel(/^Event pattern/).fill('{ "source": ["mercato.catalog"] }');
    await page.getByLabel("Description (optional)").fill("Catalog feed");
    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.getByText("Webhook created: copy its signing secret now").waitFor();
    expect(await page.getByTestId("webhook-secret").textContent()).toMatch(/^whsec_/);
    await expectAccessible(page, "console webhooks");
    await screenshot(page, "webhook-created");

    const created = await shop.client.call("POST", "/api/products", {
      token: await shop.client.adminToken(),
      body: {
        sku: "HOOK-LOG-1",
        name: "Hook Log",
        category: "Hooks",
        price: { amount: 100, currency: "EUR" },
      },
    });
    expect(created.status).toBe(201);
    await page.getByRole("link", { name: "Catalog feed" }).click();
    await page.getByRole("heading", { name: "Delivery log, newest first" }).waitFor();
    // The log is read every five seconds: the delivery appears without a reload.
    await page.getByRole("cell", { name: "HTTP 200" }).first().waitFor();
    expect(receiver.received.length).toBeGreaterThan(0);
    await expectAccessible(page, "console webhook");
    await screenshot(page, "webhook-deliveries");

    await consoleLink(page, "Webhooks").click();
    await page.getByRole("button", { name: "Disable Catalog feed" }).click();
    await page.getByText(`${receiver.url}/catalog, disabled`).waitFor();
    await page.getByRole("button", { name: "Delete Catalog feed" }).click();
    await page.getByRole("button", { name: "Yes, delete Catalog feed" }).click();
    await page.getByText("No webhooks yet.").waitFor();
  });

  it("creates an API key, shows its secrets once, and deletes it", async () => {
    const page = await adminPage();
    await page.goto(`${shop.client.url}/console/api-keys`);
    await page.getByText("No API keys.").waitFor();
    await page.getByLabel("Name of the new key").fill("Marketplace feed");
    await page.getByLabel("Name of the new key").press("Enter");
    await page.getByText('Key "Marketplace feed" created: copy its secrets now').waitFor();
    const key = (await page.getByTestId("api-key").textContent()) ?? "";
    expect(key.length).toBeGreaterThan(20);
    expect(await page.getByTestId("access-key-id").textContent()).toBeTruthy();
    expect(await page.getByTestId("secret-access-key").textContent()).toBeTruthy();
    // The key shown works: it puts an event.
    const put = await shop.client.call("POST", "/api/events", {
      token: key,
      body: { Entries: [{ Source: "seller.console", DetailType: "Ping", Detail: "{}" }] },
    });
    expect(put.status).toBe(200);
    await expectAccessible(page, "console API keys");
    await screenshot(page, "api-key-created");

    await page.getByRole("button", { name: "I have stored the secrets" }).click();
    await page.getByRole("button", { name: "Delete key Marketplace feed" }).click();
    await page.getByRole("button", { name: "Yes, delete key Marketplace feed" }).click();
    await page.getByText("No API keys.").waitFor();
  });

  it("draws a queue's depth and throughput after a few readings, at phone width", async () => {
    const page = await adminPage({ width: 390, height: 844 });
    await page.goto(`${shop.client.url}/console`);
    await page.getByLabel("Queue to chart").selectOption("payments-payment-requests");
    const chart = page.getByRole("img", { name: "Depth and throughput of payments-payment-requests" });
    await chart.waitFor();
    // Readings every two seconds: wait for a third, so throughput has two intervals.
    await page
      .getByTestId("queue-chart-summary")
      .filter({ hasText: /\(([3-9]|\d\d) readings\)/ })
      .waitFor();
    expect(await chart.locator("polyline.rate").getAttribute("points")).toMatch(
      /^[\d.]+,[\d.]+ [\d.]+,[\d.]+/,
    );
    // An order's payment request goes through that queue: its throughput rises above zero.
    const product = await shop.client.stockedProduct({ sku: "CONSOLE-CHART-1", price: 500, onHand: 3 });
    const customer = await shop.client.register();
    await shop.client.addToCart(customer.token, product.id, 1);
    expect((await shop.client.checkout(customer.token)).status).toBe(202);
    await page
      .getByTestId("queue-chart-summary")
      .filter({ hasText: /processed per second now, highest (?!0\.0\.)[\d.]+\.$/ })
      .waitFor();
    await expectAccessible(page, "console queue chart");
    await screenshot(page, "queue-chart-phone");
  });
});
