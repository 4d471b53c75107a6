import { requireServer, sleep } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DistributedPlatform,
  distributedStartGuardMs,
  startDistributedPlatform,
} from "../support/distributed-platform.ts";
import { freePort } from "../support/mercato-process.ts";
import { type ShopClient, shopClient } from "../support/shop.ts";
import {
  type Checkout,
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
  type OwnServer,
  ownServer,
  requireBinary,
  type ServiceDatabases,
  serviceDatabases,
  settleTimeoutMs,
} from "./chaos-shop.ts";

/**
 * Issue 13, second chaos case: the NATS server goes away for several seconds in the middle of a
 * burst of checkouts and comes back on the same port with the same store. Orders are still taken
 * (their events wait in the services' outboxes, in PostgreSQL), and once NATS is back every event
 * is delivered: no order is left pending, stock and payments balance, nothing is left anywhere.
 */
const natsServer = requireBinary("nats-server");
const available = natsServer !== undefined && (await requireServer("postgres"));

const customerCount = 60;
/** The outage lasts at least this long, and until the outboxes have buffered events. */
const outageMs = 6_000;
const initialStock = 1_000;
const price = 990;
const hangGuardMs = 300_000;

describe.skipIf(!available)("chaos: the NATS server stops for several seconds during checkouts", () => {
  let nats: OwnServer;
  let platform: DistributedPlatform;
  let shop: ShopClient;
  let db: ServiceDatabases;

  beforeAll(async () => {
    const port = await freePort();
    nats = await ownServer({
      name: "nats",
      binary: natsServer as string,
      scheme: "nats",
      port,
      args: (port, dir) => ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir],
    });
    platform = await startDistributedPlatform({
      name: "chaos-nats-outage",
      env: { BUS_URL: nats.url, ...chaosEnv },
    });
    shop = shopClient(platform.url);
    db = serviceDatabases(platform.prefix);
  }, distributedStartGuardMs);

  afterAll(async () => {
    await cleanUp(
      () => db?.close(),
      // While this NATS still runs: the platform's close removes its streams from it.
      () => platform?.close(),
      () => nats?.close(),
    );
  }, 60_000);

  const outboxRows = async () => {
    let rows = 0;
    for (const service of ["orders", "inventory", "payments"]) {
      const [row] = await db.query<{ n: number }>(
        service,
        `SELECT count(*)::int AS n FROM "${service}".outbox`,
      );
      rows += row?.n ?? 0;
    }
    return rows;
  };

  it(
    "takes orders while NATS is away, buffers their events and delivers every one when it returns",
    async () => {
      const product = await shop.stockedProduct({
        sku: `CHAOS-NATS-${platform.prefix}`,
        price,
        onHand: initialStock,
      });
      const customers = await customersWithUnits(shop, customerCount, product.id);

      // A quarter of the checkouts before the outage, half during it, the last quarter once NATS
      // is back while the backlog drains.
      const stopAt = customerCount / 4;
      const resumeAt = (customerCount * 3) / 4;
      let accepted = 0;
      let next = 0;
      let natsDown = false;
      let natsBack = false;
      let acceptedWhileDown = 0;
      const checkouts: Checkout[] = [];
      const shopper = async () => {
        for (;;) {
          while ((next >= stopAt && !natsDown && !natsBack) || (next >= resumeAt && !natsBack))
            await sleep(20);
          const customer = customers[next++];
          if (!customer) return;
          const checkout = await checkOutWithRetries(shop, customer);
          accepted += 1;
          if (natsDown) acceptedWhileDown += 1;
          checkouts.push(checkout);
        }
      };
      const outage = async () => {
        while (accepted < stopAt) await sleep(20);
        await nats.stop();
        natsDown = true;
        const stoppedAt = Date.now();
        await sleep(outageMs);
        // The point of the outage: orders are taken while the bus is away, their events wait in
        // the outboxes.
        const deadline = stoppedAt + settleTimeoutMs;
        let buffered = await outboxRows();
        while ((accepted < resumeAt || buffered === 0) && Date.now() < deadline) {
          await sleep(200);
          buffered = await outboxRows();
        }
        await nats.start();
        natsDown = false;
        natsBack = true;
        return { buffered, outageMs: Date.now() - stoppedAt };
      };
      const [fault] = await Promise.all([outage(), ...Array.from({ length: 3 }, shopper)]);

      expect(fault.buffered).toBeGreaterThan(0);
      expect(acceptedWhileDown).toBe(resumeAt - stopAt);
      expect(checkouts).toHaveLength(customerCount);
      await expectOneOrderPerCustomer(db, checkouts);
      const orderIds = checkouts.map((checkout) => checkout.orderId);
      const finals = await finalStatuses(db, platform, orderIds);
      await expectNoRepeatedStep(db, orderIds);
      const payments = await expectPaymentsSettled(db, finals, () => price);
      const confirmed = finals.filter((order) => order.status === "confirmed");
      await expectStockConserved(shop, product.sku, initialStock, confirmed.length);
      expect(confirmed).toHaveLength(checkouts.length);
      await expectEverythingDelivered(db, platform);

      const restarts = platform
        .output()
        .split("\n")
        .filter((line) => line.includes('"msg":"process ended; restarting"'))
        .map((line) => (JSON.parse(line) as { process: string }).process);
      console.info(
        `NATS stopped after ${stopAt} accepted, away ${fault.outageMs} ms, ${acceptedWhileDown} checkouts accepted meanwhile, ` +
          `${fault.buffered} events buffered in outboxes; processes restarted by the supervisor: ${JSON.stringify(countBy(restarts, String))}; ` +
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
