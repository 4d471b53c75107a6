import { configureService } from "@mercato/platform";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../../apps/cli/src/services.ts";
import { type Receiver, startReceiver } from "../../services/webhooks/test/receiver.ts";
import { startShop } from "../support/shop.ts";
import { chromiumAvailable, expectAccessible, launchBrowser, screenshot, signedInPage } from "./browser.ts";

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

  const pageSignedInAs = async (credentials: { email: string; password: string }) =>
    (await signedInPage(browser, shop.client, credentials)).page;

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

    await page.locator("#rules ~ ul li").first().waitFor();
    const created = await shop.client.call("POST", "/api/products", {
      token: await shop.client.adminToken(),
      body: { sku: "LOGGED-1", name: "Logged", category: "Logs", price: { amount: 100, currency: "EUR" } },
    });
    expect(created.status).toBe(201);
    await page.getByLabel("Source", { exact: true }).fill("mercato.catalog");
    await page.getByText("ProductCreated from mercato.catalog").waitFor();
    await page.getByLabel("Detail type", { exact: true }).fill("OrderPlaced");
    await page.getByText("No events match.").waitFor();

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

describe.skipIf(!runs)("a failed webhook delivery in the console", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;
  let receiver: Receiver;
  let failing = true;

  beforeAll(async () => {
    receiver = await startReceiver(() => (failing ? 500 : 200));
    const services = selectServices(["gateway", "identity", "catalog", "webhooks"]).map((service) =>
      service.name === "webhooks"
        ? configureService(service, {
            settings: { maxAttempts: 2, retryBaseMs: 10, allowedHosts: new Set(["127.0.0.1"]) },
          })
        : service,
    );
    [shop, browser] = await Promise.all([startShop({ services }), launchBrowser("console-dlq")]);
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await receiver?.close();
  });

  it("an admin finds it in the webhook's DLQ with its error and redrives it", async () => {
    const admin = await shop.client.adminToken();
    const webhook = await shop.client.call("POST", "/api/webhooks", {
      token: admin,
      body: { url: `${receiver.url}/hook`, eventPattern: { source: ["mercato.catalog"] } },
    });
    expect(webhook.status).toBe(201);
    const queue = `webhooks-${webhook.body.id}`;
    const product = await shop.client.call("POST", "/api/products", {
      token: admin,
      body: { sku: "HOOKED-1", name: "Hooked", category: "Hooks", price: { amount: 100, currency: "EUR" } },
    });
    expect(product.status).toBe(201);

    const { page } = await signedInPage(browser, shop.client, {
      email: "admin@mercato.local",
      password: "mercato-admin",
    });
    await page.goto(`${shop.client.url}/console`);
    // The counters are read every two seconds: the dead letter appears without a reload.
    await page.getByRole("button", { name: `1 dead letters in ${queue}` }).click();
    await page.getByText("attempt 2: HTTP 500").waitFor();
    await page.getByText(/DeadLetterQueueNotEmpty/).waitFor();
    await screenshot(page, "dead-letter");

    failing = false;
    await page.getByRole("button", { name: `Redrive all to ${queue}` }).click();
    await page.getByText(`Moved 1 message(s) back to ${queue}.`).waitFor();
    await expect.poll(() => receiver.received.length).toBe(3);
    await page.getByText("The DLQ is empty.").waitFor();
  });
});
