import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEventStream } from "../../apps/web/src/api/event-stream.ts";
import { type ShopClient, startShop } from "../support/shop.ts";
import { chromiumAvailable, expectAccessible, launchBrowser, screenshot, signedInPage } from "./browser.ts";

const phone = { width: 390, height: 844 };

const runs = chromiumAvailable();

/**
 * What issue 12 added to the storefront: search filters, recommendations, watches with live
 * notifications, and cancelling or returning an order from its page.
 */
describe.skipIf(!runs)("the storefront's filters, watches, notifications, cancel and return", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let client: ShopClient;
  let browser: Browser;
  let catalog: Promise<Record<"headphones" | "earbuds" | "lamp", string>> | undefined;

  beforeAll(async () => {
    [shop, browser] = await Promise.all([startShop(), launchBrowser("storefront-watches")]);
    client = shop.client;
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  /** The catalog the tests shop in, made by the first test that needs it (expect.poll needs a test). */
  function products(): Promise<Record<"headphones" | "earbuds" | "lamp", string>> {
    catalog ??= Promise.all([
      stockedProduct("Studio Headphones", "Audio", 4999),
      stockedProduct("Budget Earbuds", "Audio", 1500),
      stockedProduct("Desk Lamp", "Home", 2500),
    ]).then(([headphones, earbuds, lamp]) => ({ headphones, earbuds, lamp }));
    return catalog;
  }

  /** A product with stock that cart and notifications already know (both learn products from events). */
  async function stockedProduct(name: string, category: string, amount: number): Promise<string> {
    const admin = await client.adminToken();
    const sku = `WATCH-${name.replaceAll(" ", "-").toUpperCase()}`;
    const created = await client.call("POST", "/api/products", {
      token: admin,
      body: {
        sku,
        name,
        category,
        description: `A ${name.toLowerCase()}.`,
        price: { amount, currency: "EUR" },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(
      (await client.call("PUT", `/api/inventory/${sku}`, { token: admin, body: { onHand: 50 } })).status,
    ).toBe(200);
    await expect.poll(async () => (await client.call("GET", `/api/products/${id}`)).body.inStock).toBe(true);
    const probe = await client.register("Probe");
    await client.addToCart(probe.token, id, 1);
    await expect
      .poll(
        async () =>
          (
            await client.call("POST", "/api/watches", {
              token: probe.token,
              body: { productId: id, kind: "back-in-stock" },
            })
          ).status,
      )
      .toBe(201);
    return id;
  }

  /** A new shopper, signed in on a phone-sized page. */
  async function shopper(): Promise<{ page: Page; token: string }> {
    const credentials = {
      email: `watch-${Date.now()}-${Math.random()}@example.com`,
      password: "correct horse",
    };
    const registered = await client.call("POST", "/api/auth/register", {
      body: { ...credentials, name: "Grace" },
    });
    expect(registered.status).toBe(201);
    const { page, accessToken } = await signedInPage(browser, client, credentials, { viewport: phone });
    return { page, token: accessToken };
  }

  /** An order of one Studio Headphones, placed through the API and confirmed. */
  async function confirmedOrder(token: string): Promise<string> {
    await client.addToCart(token, (await products()).headphones, 1);
    const placed = await client.checkout(token);
    expect(placed.status).toBe(202);
    await client.orderReaching(token, placed.body.id, ["confirmed"]);
    return placed.body.id as string;
  }

  it("a price-drop watch set from the keyboard notifies the shopper live when an admin lowers the price", async () => {
    const { headphones } = await products();
    const { page } = await shopper();
    await page.goto(`${client.url}/products/${headphones}`);
    await page.getByRole("heading", { name: "Studio Headphones" }).waitFor();
    await page.getByRole("heading", { name: "Bought together" }).waitFor();
    await expectAccessible(page, "product");

    // From the keyboard: type the target and press Enter in the field.
    await page.getByLabel("Target price in EUR (optional)").focus();
    await page.keyboard.type("45");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Watching: Price drop below" }).waitFor();
    await page.getByRole("button", { name: /Stop watching/ }).waitFor();
    await screenshot(page, "product-watching");

    await page.getByRole("link", { name: "Notifications" }).click();
    await page.getByRole("heading", { name: "Your watches" }).waitFor();
    await page.getByText("Studio Headphones: Price drop below").waitFor();
    await page.getByText("No notifications yet").waitFor();
    expect(await page.getByTestId("unread-count").count()).toBe(0);
    // A marker on the window: a reload would drop it.
    await page.evaluate("window.notReloaded = true");

    const lowered = await client.call("PATCH", `/api/products/${headphones}`, {
      token: await client.adminToken(),
      body: { price: { amount: 3999, currency: "EUR" } },
    });
    expect(lowered.status).toBe(200);

    await page.getByTestId("unread-count").filter({ hasText: "1" }).waitFor();
    await page.getByTestId("notification").filter({ hasText: "Price drop: Studio Headphones" }).waitFor();
    expect(await page.evaluate("window.notReloaded")).toBe(true);
    await page.getByText("(notified)").waitFor({ state: "attached" });
    await expectAccessible(page, "notifications");
    await screenshot(page, "notification-live");

    await page.getByRole("button", { name: "Mark read: Price drop: Studio Headphones" }).click();
    await page.getByText("All read").waitFor();
    // The header's badge re-reads the count from the API after the list has changed.
    await page.getByTestId("unread-count").waitFor({ state: "detached" });

    await page.getByRole("button", { name: /^Remove: Studio Headphones/ }).click();
    await page.getByText("No watches.").waitFor();
  });

  it("a signed-out visitor is asked to sign in to watch, sees the popular list, and what it viewed together", async () => {
    const { lamp } = await products();
    const context = await browser.newContext({ viewport: phone });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${client.url}/products/${lamp}`);
    await page.getByRole("heading", { name: "Watch this product" }).waitFor();
    await page.getByRole("link", { name: "Sign in", exact: true }).last().waitFor();
    expect(await page.getByRole("button", { name: "Watch for a price drop" }).count()).toBe(0);
    await page.goto(`${client.url}/`);
    await page.getByRole("heading", { name: "Popular right now" }).waitFor();
    await expectAccessible(page, "home");

    // The tab's views are tied to one session id: the lamp and the earbuds are viewed together.
    const { earbuds } = await products();
    await page.goto(`${client.url}/products/${earbuds}`);
    await page.getByRole("heading", { name: "Budget Earbuds" }).waitFor();
    await page.goto(`${client.url}/products/${lamp}`);
    const viewedTogether = page.getByRole("list", { name: "Viewed together" });
    await expect
      .poll(async () => {
        await page.reload();
        await page.getByRole("heading", { name: "Viewed together" }).waitFor();
        await page
          .getByRole("status")
          .filter({ hasText: "Loading recommendations" })
          .waitFor({ state: "detached" });
        return viewedTogether.getByRole("link", { name: "Budget Earbuds" }).count();
      })
      .toBe(1);
    await screenshot(page, "product-viewed-together");
  });

  it("search narrows by category and price, chosen from the keyboard, and the link reproduces it", async () => {
    await products();
    const { page } = await shopper();
    await page.goto(`${client.url}/search`);
    await page.getByRole("link", { name: "Desk Lamp" }).waitFor();

    const category = page.getByLabel("Category");
    await category.locator("option", { hasText: "Audio" }).waitFor({ state: "attached" });
    await category.focus();
    // Chromium moves a closed select's choice with the arrows: "All categories", "Audio", "Home".
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => category.inputValue()).toBe("Audio");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.type("20");
    await expect.poll(() => page.getByLabel("Max price (EUR)").inputValue()).toBe("20");
    await page.getByRole("link", { name: "Budget Earbuds" }).waitFor();
    await page.getByRole("link", { name: "Studio Headphones" }).waitFor({ state: "detached" });
    expect(await page.getByRole("link", { name: "Desk Lamp" }).count()).toBe(0);
    await expect.poll(() => new URL(page.url()).search).toBe("?category=Audio&max=20");
    await expectAccessible(page, "search-filtered");
    await screenshot(page, "search-filtered");

    await page.goto(`${client.url}/search?category=Audio&min=20`);
    await page.getByRole("link", { name: "Studio Headphones" }).waitFor();
    expect(await page.getByLabel("Category").inputValue()).toBe("Audio");
    expect(await page.getByLabel("Min price (EUR)").inputValue()).toBe("20");
    expect(await page.getByRole("link", { name: "Budget Earbuds" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Desk Lamp" }).count()).toBe(0);

    await page.getByLabel("Max price (EUR)").fill("10");
    await page
      .getByRole("alert")
      .filter({ hasText: /maxPrice/ })
      .waitFor();
  });

  it("a signed-in shopper's home recommends for them; the shopper cancels a confirmed order from its page", async () => {
    const { page, token } = await shopper();
    await page.goto(`${client.url}/`);
    await page.getByRole("heading", { name: "Recommended for you" }).waitFor();
    const orderId = await confirmedOrder(token);
    await page.goto(`${client.url}/orders/${orderId}`);
    await page.getByTestId("order-status").filter({ hasText: "confirmed" }).waitFor();
    await expectAccessible(page, "order-cancellable");
    await page.getByRole("button", { name: "Cancel order" }).click();
    await page.getByTestId("order-status").filter({ hasText: "cancelled" }).waitFor();
    expect(await page.getByRole("button", { name: "Cancel order" }).count()).toBe(0);
    await screenshot(page, "order-cancelled");
  });

  it("a shopper asks to return a delivered order's item, and a second request shows the API's reason", async () => {
    const { page, token } = await shopper();
    const orderId = await confirmedOrder(token);
    const admin = await client.adminToken();
    expect(
      (await client.call("POST", `/api/orders/${orderId}/ship`, { token: admin, body: {} })).status,
    ).toBe(200);
    expect((await client.call("POST", `/api/orders/${orderId}/deliver`, { token: admin })).status).toBe(200);

    await page.goto(`${client.url}/orders/${orderId}`);
    await page.getByTestId("order-status").filter({ hasText: "delivered" }).waitFor();
    expect(await page.getByRole("button", { name: "Cancel order" }).count()).toBe(0);
    await page.getByLabel("Studio Headphones (bought 1)").fill("1");
    await page.getByLabel("Reason").fill("It does not fit");
    await expectAccessible(page, "order-return");
    await page.getByRole("button", { name: "Request return" }).click();
    await page.getByTestId("return-requested").filter({ hasText: "1 × Studio Headphones" }).waitFor();
    await screenshot(page, "return-requested");

    await page.getByLabel("Studio Headphones (bought 1)").fill("1");
    await page.getByLabel("Reason").fill("Again");
    await page.getByRole("button", { name: "Request return" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "Only 0 of “Studio Headphones” can be returned" })
      .waitFor();
    await screenshot(page, "return-refused");
  });

  it("the storefront's stream reader resumes a dropped stream with Last-Event-ID and misses nothing", async () => {
    const { token } = await client.register("Streamer");
    const received: { id: string; type: string }[] = [];
    const lastEventIds: (string | null)[] = [];
    const connections: AbortController[] = [];
    const stop = new AbortController();
    let opened = () => {};
    const firstOpen = new Promise<void>((resolve) => (opened = resolve));
    const notificationCount = async () =>
      (await client.call("GET", "/api/notifications", { token })).body.items.length as number;

    const reading = readEventStream({
      url: `${client.url}/api/notifications/stream`,
      signal: stop.signal,
      async fetch(request) {
        if (connections.length === 1) {
          // Reconnect only once the second notification exists, so that only Last-Event-ID can bring it.
          await expect.poll(notificationCount).toBe(2);
        }
        const connection = new AbortController();
        connections.push(connection);
        lastEventIds.push(request.headers.get("last-event-id"));
        const headers = new Headers(request.headers);
        headers.set("authorization", `Bearer ${token}`);
        return fetch(request.url, { headers, signal: AbortSignal.any([request.signal, connection.signal]) });
      },
      onOpen: () => opened(),
      onEvent: (event) => received.push({ id: event.id, type: JSON.parse(event.data).type }),
    });

    await firstOpen;
    await confirmedOrder(token);
    await expect.poll(() => received.length).toBe(1);
    connections[0]?.abort();
    await confirmedOrder(token);
    await expect.poll(() => received.length).toBe(2);
    stop.abort();
    await reading;

    expect(received.map((event) => event.type)).toEqual(["order.confirmed", "order.confirmed"]);
    expect(new Set(received.map((event) => event.id)).size).toBe(2);
    expect(lastEventIds).toEqual([null, received[0]?.id]);
  });
});
