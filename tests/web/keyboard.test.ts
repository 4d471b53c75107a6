import { configureService } from "@mercato/platform";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../../apps/cli/src/services.ts";
import { type Receiver, startReceiver } from "../../services/webhooks/test/receiver.ts";
import { address, startShop } from "../support/shop.ts";
import { chromiumAvailable, launchBrowser, screenshot, signedInPage } from "./browser.ts";
import { tabThrough, watchKeyboard } from "./keyboard.ts";

const runs = chromiumAvailable();

const admin = { email: "admin@mercato.local", password: "mercato-admin" };

/**
 * Every page of the storefront and every console section from the keyboard alone: Tab reaches
 * each control in turn with a visible focus and leaves the page after the last one, and the main
 * flows' actions work with Enter or Space.
 */
describe.skipIf(!runs)("the web app from the keyboard", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;
  let receiver: Receiver;
  let failing = true;

  beforeAll(async () => {
    receiver = await startReceiver(() => (failing ? 500 : 200));
    // Every service; webhooks give up after two attempts, so a failing receiver fills a DLQ.
    const services = selectServices().map((service) =>
      service.name === "webhooks"
        ? configureService(service, {
            settings: { maxAttempts: 2, retryBaseMs: 10, allowedHosts: new Set(["127.0.0.1"]) },
          })
        : service,
    );
    [shop, browser] = await Promise.all([startShop({ services }), launchBrowser("keyboard")]);
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await receiver?.close();
  });

  async function shopper(): Promise<{ page: Page; token: string }> {
    const credentials = {
      email: `keys-${Date.now()}-${Math.random()}@example.com`,
      password: "correct horse",
    };
    const registered = await shop.client.call("POST", "/api/auth/register", {
      body: { ...credentials, name: "Keys" },
    });
    expect(registered.status).toBe(201);
    const { page, accessToken } = await signedInPage(browser, shop.client, credentials);
    await watchKeyboard(page);
    return { page, token: accessToken };
  }

  async function adminPage(): Promise<Page> {
    const { page } = await signedInPage(browser, shop.client, admin);
    await watchKeyboard(page);
    return page;
  }

  const focusedHeading = (page: Page) =>
    page.evaluate("document.activeElement?.tagName + ' ' + document.activeElement?.textContent");

  /** Opens the page, waits for what shows it is loaded, and tabs through it. */
  async function visit(page: Page, path: string, name: string, loaded: (page: Page) => Promise<void>) {
    await page.goto(`${shop.client.url}${path}`);
    await loaded(page);
    const stops = await tabThrough(page, name);
    await screenshot(page, name);
    return stops;
  }

  it("reaches every control of every storefront page in turn, with a visible focus and no trap", async () => {
    const product = await shop.client.stockedProduct({ sku: "KEYS-LAMP-1", price: 2500, onHand: 20 });
    const { page, token } = await shopper();
    await shop.client.addToCart(token, product.id, 1);
    const placed = await shop.client.checkout(token);
    expect(placed.status).toBe(202);
    await shop.client.orderReaching(token, placed.body.id, ["confirmed"]);
    await shop.client.addToCart(token, product.id, 2);

    const stops: Record<string, number> = {};
    stops.home = await visit(page, "/", "home", (page) =>
      page.getByRole("list", { name: "Products" }).getByRole("link").first().waitFor(),
    );
    stops.search = await visit(page, "/search?q=KEYS-LAMP", "search", (page) =>
      page.getByRole("link", { name: "Product KEYS-LAMP-1" }).waitFor(),
    );
    stops.product = await visit(page, `/products/${product.id}`, "product", (page) =>
      page.getByText("In stock").waitFor(),
    );
    stops.cart = await visit(page, "/cart", "cart", (page) =>
      page.getByRole("link", { name: "Product KEYS-LAMP-1" }).waitFor(),
    );
    stops.checkout = await visit(page, "/checkout", "checkout", (page) =>
      page.getByRole("button", { name: "Place order" }).waitFor(),
    );
    stops.order = await visit(page, `/orders/${placed.body.id}`, "order", (page) =>
      page.getByTestId("order-status").filter({ hasText: "confirmed" }).waitFor(),
    );
    stops.orders = await visit(page, "/orders", "orders", (page) =>
      page.getByRole("link", { name: `Order ${placed.body.id.slice(-8)}` }).waitFor(),
    );
    stops.notifications = await visit(page, "/notifications", "notifications", (page) =>
      page.getByRole("button", { name: /^Mark read/ }).waitFor(),
    );
    stops.account = await visit(page, "/account", "account", (page) =>
      page.getByRole("button", { name: "Sign out" }).waitFor(),
    );

    const visitor = await browser.newContext();
    const signedOut = await visitor.newPage();
    await watchKeyboard(signedOut);
    stops["sign-in"] = await visit(signedOut, "/account", "sign-in", (page) =>
      page.getByRole("button", { name: "Create an account" }).waitFor(),
    );
    await visitor.close();

    // Each page has its header's links and controls of its own: an empty walk tests nothing.
    for (const [name, count] of Object.entries(stops)) expect(count, name).toBeGreaterThan(5);
  });

  it("adds to the cart with Enter and places the order with Space", async () => {
    const product = await shop.client.stockedProduct({ sku: "KEYS-MUG-1", price: 1200, onHand: 20 });
    const { page } = await shopper();
    await page.goto(`${shop.client.url}/products/${product.id}`);
    await page.getByText("In stock").waitFor();
    await page.getByRole("button", { name: "Add to cart" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "Go to the cart" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "Check out" }).focus();
    await page.keyboard.press("Enter");

    await page.getByLabel("Full name").fill(address.name);
    await page.getByLabel("Address", { exact: true }).fill(address.line1);
    await page.getByLabel("City").fill(address.city);
    await page.getByLabel("Postal code").fill(address.postalCode);
    await page.getByLabel("Country (2-letter code)").fill(address.country);
    await page.getByRole("button", { name: "Place order" }).focus();
    await page.keyboard.press("Space");
    await page.waitForURL(/\/orders\//);
    await page.getByTestId("order-status").filter({ hasText: "confirmed" }).waitFor();
    await screenshot(page, "placed-by-keyboard");
  });

  it("marks one notification read with Space, shows older ones with Enter, and marks all read", async () => {
    const product = await shop.client.stockedProduct({ sku: "KEYS-PEN-1", price: 300, onHand: 100 });
    const { page, token } = await shopper();
    // 21 declined orders: one "Order not placed" notification each, one more than a page.
    for (let order = 0; order < 21; order++) {
      await shop.client.addToCart(token, product.id, 1);
      expect((await shop.client.checkout(token, { paymentToken: "tok_declined" })).status).toBe(202);
    }
    await expect
      .poll(async () => (await shop.client.call("GET", "/api/notifications", { token })).body.unreadCount)
      .toBe(21);

    await page.goto(`${shop.client.url}/notifications`);
    const notifications = page.getByTestId("notification");
    await page.getByRole("status").filter({ hasText: "21 unread" }).waitFor();
    await expect.poll(() => notifications.count()).toBe(20);

    await page
      .getByRole("button", { name: /^Mark read/ })
      .first()
      .focus();
    await page.keyboard.press("Space");
    await page.getByRole("status").filter({ hasText: "20 unread" }).waitFor();
    await expect.poll(() => page.getByRole("button", { name: /^Mark read/ }).count()).toBe(19);

    await page.getByRole("button", { name: "Show older" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => notifications.count()).toBe(21);
    await expect.poll(() => page.getByRole("button", { name: "Show older" }).count()).toBe(0);
    await expect.poll(() => page.getByRole("button", { name: /^Mark read/ }).count()).toBe(20);

    await page.getByRole("button", { name: "Mark all read" }).focus();
    await page.keyboard.press("Space");
    await page.getByRole("status").filter({ hasText: "All read" }).waitFor();
    await expect.poll(() => page.getByRole("button", { name: /^Mark read/ }).count()).toBe(0);
    expect((await shop.client.call("GET", "/api/notifications", { token })).body.unreadCount).toBe(0);
    await screenshot(page, "notifications-all-read");
  });

  it("reaches every control of every console section, and moves the focus to a section's heading", async () => {
    const product = await shop.client.stockedProduct({ sku: "KEYS-CONSOLE-1", price: 900, onHand: 5 });
    const customer = await shop.client.register("Console Keys");
    await shop.client.addToCart(customer.token, product.id, 1);
    const placed = await shop.client.checkout(customer.token);
    expect(placed.status).toBe(202);
    await shop.client.orderReaching(customer.token, placed.body.id, ["confirmed"]);
    const adminToken = await shop.client.adminToken();
    const webhook = await shop.client.call("POST", "/api/webhooks", {
      token: adminToken,
      body: {
        url: `${receiver.url}/keys`,
        eventPattern: { source: ["mercato.orders"] },
        description: "Keys",
      },
    });
    expect(webhook.status).toBe(201);
    const key = await shop.client.call("POST", "/api/api-keys", {
      token: adminToken,
      body: { name: "Keys" },
    });
    expect(key.status).toBe(201);

    const page = await adminPage();
    const stops: Record<string, number> = {};
    stops.operations = await visit(page, "/console", "console-operations", (page) =>
      page.getByRole("rowheader", { name: "payments-payment-requests" }).waitFor(),
    );
    stops.orders = await visit(page, "/console/orders", "console-orders", (page) =>
      page.getByRole("link", { name: `Order …${placed.body.id.slice(-8)}` }).waitFor(),
    );
    stops.order = await visit(page, `/console/orders/${placed.body.id}`, "console-order", (page) =>
      page.getByRole("list", { name: "Saga steps, oldest first" }).getByText("Order confirmed").waitFor(),
    );
    stops.products = await visit(page, "/console/products", "console-products", (page) =>
      page.getByRole("heading", { name: "Products", level: 1 }).waitFor(),
    );
    stops.product = await visit(page, `/console/products/${product.id}`, "console-product", (page) =>
      page.getByRole("heading", { name: "Product KEYS-CONSOLE-1", level: 1 }).waitFor(),
    );
    stops.webhooks = await visit(page, "/console/webhooks", "console-webhooks", (page) =>
      page.getByText(`${receiver.url}/keys`).first().waitFor(),
    );
    stops.webhook = await visit(page, `/console/webhooks/${webhook.body.id}`, "console-webhook", (page) =>
      page.getByRole("heading", { level: 1 }).waitFor(),
    );
    stops["api-keys"] = await visit(page, "/console/api-keys", "console-api-keys", (page) =>
      page.getByRole("heading", { name: "API keys", level: 1 }).waitFor(),
    );
    for (const [name, count] of Object.entries(stops)) expect(count, name).toBeGreaterThan(5);

    // Switching sections from the console's menu with Enter puts the focus on the new heading.
    const menu = page.getByRole("navigation", { name: "Console" });
    for (const [link, heading] of [
      ["Orders", "Orders"],
      ["Products", "Products"],
      ["Webhooks", "Webhooks"],
      ["API keys", "API keys"],
      ["Queues and events", "Operations"],
    ] as const) {
      await menu.getByRole("link", { name: link, exact: true }).focus();
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      await expect.poll(() => focusedHeading(page)).toBe(`H1 ${heading}`);
    }
    // A detail page's heading comes with its data, and takes the focus then.
    await menu.getByRole("link", { name: "Products", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "Product KEYS-CONSOLE-1" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => focusedHeading(page)).toBe("H1 Product KEYS-CONSOLE-1");
  });

  it("ships an order with Enter and redrives a dead letter with Space from the console", async () => {
    // A webhook for order events whose receiver fails: the deliveries give up after two attempts
    // and land in its DLQ.
    const hook = await shop.client.call("POST", "/api/webhooks", {
      token: await shop.client.adminToken(),
      body: { url: `${receiver.url}/redrive`, eventPattern: { source: ["mercato.orders"] } },
    });
    expect(hook.status).toBe(201);
    const queue = `webhooks-${hook.body.id}`;
    const product = await shop.client.stockedProduct({ sku: "KEYS-SHIP-1", price: 1500, onHand: 5 });
    const customer = await shop.client.register("Ship Keys");
    await shop.client.addToCart(customer.token, product.id, 1);
    const placed = await shop.client.checkout(customer.token);
    expect(placed.status).toBe(202);
    const orderId: string = placed.body.id;
    await shop.client.orderReaching(customer.token, orderId, ["confirmed"]);

    const page = await adminPage();
    await page.goto(`${shop.client.url}/console/orders`);
    const row = page
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: `Order …${orderId.slice(-8)}` }) });
    await row.getByLabel("Carrier").fill("DHL");
    await row.getByLabel("Tracking number").fill("JD0000000001");
    await row.getByRole("button", { name: /^Ship/ }).focus();
    await page.keyboard.press("Enter");
    await row.getByTestId("order-status").filter({ hasText: "shipped" }).waitFor();
    await shop.client.orderReaching(customer.token, orderId, ["shipped"]);

    // Every order event the receiver got, shipping's last, has had both its attempts and sits in
    // the DLQ before the receiver recovers: none is left to land there after the redrive.
    const attempts = () => {
      const counts = new Map<string, number>();
      for (const request of receiver.received.filter((request) => request.path === "/redrive")) {
        const id = String(request.headers["webhook-id"]);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };
    const deadLetters = async () =>
      (
        (await shop.client.call("GET", "/api/ops/queues", { token: await shop.client.adminToken() })).body
          .items as { name: string; dlqDepth: number }[]
      ).find((item) => item.name === queue)?.dlqDepth;
    await expect
      .poll(async () => {
        const counts = attempts();
        const shipped = receiver.received.some(
          (request) =>
            request.path === "/redrive" && JSON.parse(request.body)["detail-type"] === "OrderShipped",
        );
        return (
          shipped &&
          [...counts.values()].every((count) => count === 2) &&
          (await deadLetters()) === counts.size
        );
      })
      .toBe(true);
    const events = attempts().size;

    await page.goto(`${shop.client.url}/console`);
    const dlq = page.getByRole("button", { name: `${events} dead letters in ${queue}` });
    await dlq.focus();
    await page.keyboard.press("Enter");
    await page.getByText("attempt 2: HTTP 500").first().waitFor();
    failing = false;
    await page.getByRole("button", { name: `Redrive all to ${queue}` }).focus();
    await page.keyboard.press("Space");
    await page.getByText(`Moved ${events} message(s) back to ${queue}.`).waitFor();
    await page.getByText("The DLQ is empty.").waitFor();
    // Each redriven event is delivered: a third attempt, answered 200.
    await expect.poll(() => [...attempts().values()].every((count) => count === 3)).toBe(true);
    await screenshot(page, "console-redriven");
  });
});
