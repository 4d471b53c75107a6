import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShop } from "../support/shop.ts";
import { chromiumAvailable, expectAccessible, launchBrowser, screenshot } from "./browser.ts";

const runs = chromiumAvailable();

describe.skipIf(!runs)("the operations console in a browser", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;

  beforeAll(async () => {
    [shop, browser] = await Promise.all([startShop(), launchBrowser("console")]);
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  /** A page signed in as the given user, the session stored as the sign-in form stores it. */
  async function pageSignedInAs(credentials: { email: string; password: string }): Promise<Page> {
    const login = await shop.client.call("POST", "/api/auth/login", { body: credentials });
    expect(login.status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const session = JSON.stringify({
      user: login.body.user,
      accessToken: login.body.accessToken,
      refreshToken: login.body.refreshToken,
    });
    await page.addInitScript({
      content: `localStorage.setItem("mercato.session", ${JSON.stringify(session)})`,
    });
    return page;
  }

  async function verdictFor(page: Page, pattern: string): Promise<void> {
    await page.getByLabel("Event pattern").fill(pattern);
    await page.getByRole("button", { name: "Test the pattern" }).click();
  }

  it("shows an admin the queues live and answers the pattern playground true, false and invalid", async () => {
    const page = await pageSignedInAs({ email: "admin@mercato.local", password: "mercato-admin" });
    await page.goto(`${shop.client.url}/`);
    await page.getByRole("link", { name: "Console" }).click();
    await page.getByRole("rowheader", { name: "payments-payment-requests" }).waitFor();
    await page.getByText("No alert is firing.").waitFor();

    await verdictFor(page, '{ "source": ["mercato.orders"] }');
    await page.getByTestId("pattern-verdict").filter({ hasText: "true" }).waitFor();
    await verdictFor(page, '{ "source": ["mercato.catalog"] }');
    await page.getByTestId("pattern-verdict").filter({ hasText: "false" }).waitFor();
    await verdictFor(page, '{ "source": "mercato.orders" }');
    await page.getByRole("alert").waitFor();
    expect(await page.getByTestId("pattern-verdict").count()).toBe(0);
    await verdictFor(page, "{ not json");
    await page.getByRole("alert").filter({ hasText: "The pattern is not JSON" }).waitFor();

    await expectAccessible(page, "console");
    await screenshot(page, "console");
  });

  it("tells a customer the console is for administrators", async () => {
    const customer = await shop.client.call("POST", "/api/auth/register", {
      body: { email: `console-${Date.now()}@example.com`, password: "correct horse", name: "Cust" },
    });
    expect(customer.status).toBe(201);
    const page = await pageSignedInAs({ email: customer.body.user.email, password: "correct horse" });
    await page.goto(`${shop.client.url}/console`);
    await page.getByText("The operations console is for administrators").waitFor();
  });
});
