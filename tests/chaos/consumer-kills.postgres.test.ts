import { requireServer, sleep } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DistributedPlatform,
  distributedStartGuardMs,
  startDistributedPlatform,
} from "../support/distributed-platform.ts";
import { type ShopClient, shopClient } from "../support/shop.ts";
import {
  type Checkout,
  type Customer,
  chaosEnv,
  checkOutWithRetries,
  cleanUp,
  countBy,
  customersWithUnits,
  expectEverythingDelivered,
  expectNoRepeatedStep,
  expectOneOrderPerCustomer,
  expectPaymentsSettled,
  expectStockConserved,
  finalStatuses,
  type ServiceDatabases,
  serviceDatabases,
  settleTimeoutMs,
} from "./chaos-shop.ts";

/**
 * Issue 13, first chaos case: in the topology `mercato start --distributed` runs, kill -9 of each
 * service that consumes checkout events, one after another, while shoppers keep checking out
 * through the gateway; the supervisor starts each again. Every order must end final, stock and
 * payments must balance, and every outbox and queue must drain.
 */
const available = (await requireServer("postgres")) && (await requireServer("nats"));

/** In the order the checkout saga reaches them, then the services that only follow its events. */
const consumers = [
  "orders",
  "inventory",
  "payments",
  "cart",
  "notifications",
  "recommendations",
  "webhooks",
  "events",
];
/** Checkouts let through per kill; the kill comes when half of them are accepted. */
const checkoutsPerKill = 10;
const shoppersAtOnce = 4;
const initialStock = 1_000;
const price = 1_250;
const hangGuardMs = 300_000;

describe.skipIf(!available)("chaos: kill -9 of each consumer service in turn during checkouts", () => {
  let platform: DistributedPlatform;
  let shop: ShopClient;
  let db: ServiceDatabases;

  beforeAll(async () => {
    platform = await startDistributedPlatform({ name: "chaos-consumer-kills", env: chaosEnv });
    shop = shopClient(platform.url);
    db = serviceDatabases(platform.prefix);
  }, distributedStartGuardMs);

  afterAll(async () => {
    await cleanUp(
      () => db?.close(),
      () => platform?.close(),
    );
  }, 60_000);

  it(
    "every order ends confirmed, rejected or cancelled; stock, payments and carts balance; nothing is left in flight",
    async () => {
      const product = await shop.stockedProduct({
        sku: `CHAOS-KILL-${platform.prefix}`,
        price,
        onHand: initialStock,
      });
      const customers = await customersWithUnits(shop, checkoutsPerKill * (consumers.length + 1), product.id);

      // Checkouts flow a window at a time: window i opens when kill i-1 is sent, so that every
      // kill lands in the middle of checkouts however fast or slow this machine is.
      let windowsOpen = 1;
      let accepted = 0;
      let next = 0;
      const checkouts: Checkout[] = [];
      const shopper = async () => {
        for (;;) {
          while (next >= windowsOpen * checkoutsPerKill && next < customers.length) await sleep(20);
          if (next >= customers.length) return;
          const customer = customers[next++] as Customer;
          const checkout = await checkOutWithRetries(shop, customer);
          accepted += 1;
          checkouts.push(checkout);
        }
      };
      const kills: { service: string; acceptedAtKill: number; oldPid: number; newPid: number }[] = [];
      const killer = async () => {
        for (const [index, service] of consumers.entries()) {
          while (accepted < index * checkoutsPerKill + checkoutsPerKill / 2) await sleep(20);
          const oldPid = platform.latest(service).pid;
          const acceptedAtKill = accepted;
          const restarted = platform.crash(service);
          windowsOpen += 1;
          const { pid: newPid } = await restarted;
          kills.push({ service, acceptedAtKill, oldPid, newPid });
        }
      };
      await Promise.all([killer(), ...Array.from({ length: shoppersAtOnce }, shopper)]);

      for (const kill of kills) {
        expect(kill.newPid).not.toBe(kill.oldPid);
        await platform.printed(
          new RegExp(`"process":"${kill.service}","pid":${kill.oldPid},"code":null,"signal":"SIGKILL"`),
        );
      }
      expect(kills.map((kill) => kill.service)).toEqual(consumers);
      expect(checkouts).toHaveLength(customers.length);
      await expectOneOrderPerCustomer(db, checkouts);

      const orderIds = checkouts.map((checkout) => checkout.orderId);
      const finals = await finalStatuses(db, platform, orderIds);
      await expectNoRepeatedStep(db, orderIds);
      const payments = await expectPaymentsSettled(db, finals, () => price);
      const confirmed = finals.filter((order) => order.status === "confirmed");
      await expectStockConserved(shop, product.sku, initialStock, confirmed.length);
      // Nothing can stop a sale here (stock to spare, a card that pays): each must have gone through.
      expect(confirmed).toHaveLength(checkouts.length);

      // Cart's consumer took each bought unit out of its buyer's cart.
      const confirmedIds = new Set(confirmed.map((order) => order.id));
      await expect
        .poll(
          async () => {
            let left = 0;
            for (const checkout of checkouts.filter((each) => confirmedIds.has(each.orderId))) {
              const cart = await shop.call("GET", "/api/cart", { token: checkout.customer.token });
              if (cart.status !== 200 || cart.body.items.length > 0) left += 1;
            }
            return left;
          },
          { timeout: settleTimeoutMs, interval: 500 },
        )
        .toBe(0);
      await expectEverythingDelivered(db, platform);

      console.info(
        `kills ${JSON.stringify(kills.map((kill) => `${kill.service}@${kill.acceptedAtKill}`))}; ` +
          `checkouts retried ${checkouts.filter((checkout) => checkout.failedAttempts.length > 0).length} ` +
          `(answers ${JSON.stringify(
            countBy(
              checkouts.flatMap((checkout) => checkout.failedAttempts),
              String,
            ),
          )}); ` +
          `statuses ${JSON.stringify(countBy(finals, (order) => order.status))}; payments ${JSON.stringify(payments)}`,
      );
    },
    hangGuardMs,
  );
});
