import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { address, type ShopClient, startShop } from "../support/shop.ts";
import {
  chromiumAvailable,
  expectAccessible,
  launchBrowser,
  screenshot,
  signedInPage as shopperPage,
} from "./browser.ts";

const phone = { width: 390, height: 844 };

const runs = chromiumAvailable();

describe.skipIf(!runs)("the storefront in a browser", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let client: ShopClient;
  let browser: Browser;
  let catalog: Promise<string> | undefined;

  /** The catalog the tests shop in, made by the first test that needs it (expect.poll needs a test). */
  function headphones(): Promise<string> {
    catalog ??= Promise.all([
      stockedProduct("Studio Headphones", "Audio", 4999),
      stockedProduct("Desk Lamp", "Home", 2500),
    ]).then(([id]) => id);
    return catalog;
  }

  beforeAll(async () => {
    [shop, browser] = await Promise.all([startShop(), launchBrowser("storefront")]);
    client = shop.client;
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  /** A product with stock that the cart already knows (cart learns products from events). */
  async function stockedProduct(name: string, category: string, amount: number): Promise<string> {
    const admin = await client.adminToken();
    const sku = `WEB-${name.replaceAll(" ", "-").toUpperCase()}`;
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
    expect(
      (await client.call("PUT", `/api/inventory/${sku}`, { token: admin, body: { onHand: 50 } })).status,
    ).toBe(200);
    await expect
      .poll(async () => (await client.call("GET", `/api/products/${created.body.id}`)).body.inStock)
      .toBe(true);
    const probe = await client.register("Probe");
    await client.addToCart(probe.token, created.body.id, 1);
    return created.body.id as string;
  }

  async function newPage(): Promise<Page> {
    // A phone-sized screen; a context per page, as axe-core needs to open pages beside it.
    const context = await browser.newContext({ viewport: phone });
    const page = await context.newPage();
    // The run's poll limit, so that a slow saga on a loaded machine is waited for like elsewhere.
    page.setDefaultTimeout(60_000);
    return page;
  }

  /** A new shopper, signed in on a phone-sized page. */
  async function signedInPage(
    options: { staleAccessToken?: boolean } = {},
  ): Promise<{ page: Page; token: string; refreshToken: string }> {
    const credentials = {
      email: `web-${Date.now()}-${Math.random()}@example.com`,
      password: "correct horse",
    };
    const registered = await client.call("POST", "/api/auth/register", {
      body: { ...credentials, name: "Grace" },
    });
    expect(registered.status).toBe(201);
    const { page, accessToken, refreshToken } = await shopperPage(browser, client, credentials, {
      ...options,
      viewport: phone,
    });
    return { page, token: accessToken, refreshToken };
  }

  async function fillAddress(page: Page): Promise<void> {
    await page.getByLabel("Full name").fill(address.name);
    await page.getByLabel("Address", { exact: true }).fill(address.line1);
    await page.getByLabel("City").fill(address.city);
    await page.getByLabel("Postal code").fill(address.postalCode);
    await page.getByLabel("Country (2-letter code)").fill(address.country);
  }

  it("a shopper signs up, finds a product despite a typo, buys it with tok_visa and sees it confirmed live", async () => {
    const productId = await headphones();
    const page = await newPage();
    await page.goto(`${client.url}/`);
    await page.getByRole("link", { name: /Audio/ }).waitFor();
    await expectAccessible(page, "home");

    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Name").fill("Ada");
    await page.getByLabel("Email").fill(`ada-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("analytical engine");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("link", { name: "Ada" }).waitFor();

    await page.getByRole("link", { name: "Search" }).click();
    await page.getByLabel("Search products").fill("hedphones");
    await page.getByRole("link", { name: "Studio Headphones" }).waitFor();
    await expectAccessible(page, "search");
    await screenshot(page, "search");
    await page.getByRole("link", { name: "Studio Headphones" }).click();

    await page.getByRole("heading", { name: "Studio Headphones" }).waitFor();
    await page.getByText("In stock").waitFor();
    await expectAccessible(page, "product");
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByRole("link", { name: "Go to the cart" }).click();

    await page.getByRole("link", { name: "Studio Headphones" }).waitFor();
    await expectAccessible(page, "cart");
    await page.getByRole("link", { name: "Check out" }).click();

    await fillAddress(page);
    await expect(page.getByLabel(/tok_visa/).isChecked()).resolves.toBe(true);
    await expectAccessible(page, "checkout");
    await page.getByRole("button", { name: "Place order" }).click();

    await page.waitForURL(/\/orders\//);
    // A marker on the window: a reload would drop it.
    await page.evaluate("window.notReloaded = true");
    await page.getByTestId("order-status").filter({ hasText: "confirmed" }).waitFor();
    expect(await page.evaluate("window.notReloaded")).toBe(true);
    await expectAccessible(page, "order");
    await screenshot(page, "order-confirmed");

    const orderId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    await page.getByRole("link", { name: "Orders" }).click();
    await page.getByRole("link", { name: `Order ${orderId.slice(-8)}` }).waitFor();
    await expectAccessible(page, "orders");

    expect(
      (await client.call("GET", `/api/orders/${orderId}`, { token: await client.adminToken() })).body,
    ).toMatchObject({
      status: "confirmed",
      items: [{ productId, quantity: 1 }],
    });
  });

  it("a declined card shows the rejection reason on the order page", async () => {
    const { page, token } = await signedInPage();
    await client.addToCart(token, await headphones(), 1);
    await page.goto(`${client.url}/checkout`);
    await fillAddress(page);
    // From the keyboard: the arrow moves the card choice, Tab reaches the button, Enter presses it.
    await page.getByLabel(/tok_visa/).focus();
    await page.keyboard.press("ArrowDown");
    await expect(page.getByLabel(/tok_declined/).isChecked()).resolves.toBe(true);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");

    await page.getByTestId("order-status").filter({ hasText: "rejected" }).waitFor();
    await page.getByTestId("order-reason").filter({ hasText: "The card was declined" }).waitFor();
    await screenshot(page, "order-declined");
  });

  it("shows the API's problem as a readable message", async () => {
    const { page } = await signedInPage();
    await page.goto(`${client.url}/checkout`);
    await fillAddress(page);
    await page.getByRole("button", { name: "Place order" }).click();
    // The cart is empty: the API refuses with 422, and the page says why.
    await page.getByRole("alert").filter({ hasText: /cart/i }).waitFor();
    await screenshot(page, "checkout-empty-cart");
  });

  it("refreshes a refused access token with the refresh token, then signs out", async () => {
    const { page, refreshToken } = await signedInPage({ staleAccessToken: true });
    // The stale session is stored at each document load; nothing below reloads, so what is stored
    // after the first load is the page's own.
    await page.goto(`${client.url}/cart`);
    await page.getByText("Your cart is empty").waitFor();
    const stored = JSON.parse((await page.evaluate("localStorage.getItem('mercato.session')")) as string);
    expect(stored.accessToken).not.toBe("no.longer.valid");
    expect(stored.refreshToken).not.toBe(refreshToken);
    expect((await client.call("GET", "/api/me", { token: stored.accessToken })).status).toBe(200);

    await page.getByRole("link", { name: "Grace" }).click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    expect(await page.evaluate("localStorage.getItem('mercato.session')")).toBeNull();
  });
});
