import { captureLogs, secretsIn } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ShopClient, startShop } from "./support/shop.ts";

/**
 * The whole shop at log level trace, writing into memory through the production logger, while a
 * customer does everything that handles a secret: registers, signs in (rightly and wrongly),
 * refreshes, pays with an approved and a declined card, and registers while the database refuses
 * the insert. Not one line may hold a password, a password hash, a token or a card token.
 */
describe("what the logs never hold", () => {
  const capture = captureLogs("trace");
  const password = "correct horse battery staple";
  const known: string[] = [password];
  let shop: Awaited<ReturnType<typeof startShop>>;
  let client: ShopClient;

  beforeAll(async () => {
    shop = await startShop({ logger: capture.logger });
    client = shop.client;
  });

  afterAll(async () => {
    await shop?.close();
  });

  it("no secret is logged through sign-up, sign-in, refresh and checkout", async () => {
    const email = `secrets-${process.pid}@example.com`;
    const registered = await client.call("POST", "/api/auth/register", {
      body: { email, password, name: "Ada" },
    });
    expect(registered.status).toBe(201);
    known.push(registered.body.accessToken, registered.body.refreshToken);

    const wrong = await client.call("POST", "/api/auth/login", {
      body: { email, password: "not it at all" },
    });
    expect(wrong.status).toBe(401);
    known.push("not it at all");
    const login = await client.call("POST", "/api/auth/login", { body: { email, password } });
    expect(login.status).toBe(200);
    const refreshed = await client.call("POST", "/api/auth/refresh", {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const reused = await client.call("POST", "/api/auth/refresh", {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(reused.status).toBe(401);
    known.push(login.body.refreshToken, refreshed.body.refreshToken, refreshed.body.accessToken);

    const token = refreshed.body.accessToken as string;
    const product = await client.stockedProduct({ sku: "LOG-1", price: 1200, onHand: 5 });
    await client.addToCart(token, product.id, 1);
    const declined = await client.checkout(token, { paymentToken: "tok_declined" });
    expect(declined.status).toBe(202);
    await client.orderReaching(token, declined.body.id, ["rejected"]);
    const paid = await client.checkout(token, { paymentToken: "tok_visa" });
    expect(paid.status).toBe(202);
    await client.orderReaching(token, paid.body.id, ["confirmed"]);

    expect(capture.text()).toContain("request completed");
    expect(secretsIn(capture.text(), known)).toEqual([]);
  });

  it("a registration the database refuses logs the error's code, not the row", async () => {
    const identity = await shop.host.databases.forService("identity");
    const email = `refused-${process.pid}@example.com`;
    try {
      await identity.script((session) =>
        session.exec("ALTER TABLE users ADD CONSTRAINT refuse_all CHECK (false) NOT VALID"),
      );
      const refused = await client.call("POST", "/api/auth/register", {
        body: { email, password, name: "Grace" },
      });
      expect(refused.status).toBe(500);
    } finally {
      await identity.script((session) => session.exec("ALTER TABLE users DROP CONSTRAINT refuse_all"));
      await identity.close();
    }
    const text = capture.text();
    expect(text).toMatch(/"code":"23514".*"constraint":"refuse_all"/);
    expect(secretsIn(text, [...known, email])).toEqual([]);
  });
});
