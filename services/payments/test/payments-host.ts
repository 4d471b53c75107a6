import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type EventEnvelope, type Money, PaymentRequested } from "@mercato/contracts";
import {
  createSealedBox,
  type Host,
  loadConfig,
  loadSecretKey,
  type PlatformConfig,
  type SealedBox,
  type ServiceContext,
  type ServiceDefinition,
  type Subscription,
  startHost,
} from "@mercato/platform";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { createPaymentsService, type PaymentsTables, paymentTokenPurpose } from "../src/index.ts";

export interface PaymentsHost {
  host: Host;
  context: ServiceContext<PaymentsTables>;
  /** Seals tokens with the key the service opens them with (the one in its data directory). */
  box: SealedBox;
  /** Every event payments published since start, in arrival order. */
  events: EventEnvelope[];
  /** Everything the host logged, as pino's JSON lines. */
  logs: string[];
  close(): Promise<void>;
}

/** The payments service alone; by default with the sandbox provider and the data directory's key. */
export async function startPaymentsHost(
  options: {
    service?: ServiceDefinition<PaymentsTables>;
    databaseUrl?: string;
    databasePrefix?: string;
  } = {},
): Promise<PaymentsHost> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-payments-"));
  const config: PlatformConfig = {
    ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_SEED: "none" }),
    port: 0,
    databaseUrl: options.databaseUrl,
    ...(options.databasePrefix ? { databasePrefix: options.databasePrefix } : {}),
  };
  const logs: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => logs.push(line) });
  const host = await startHost({ config, services: [options.service ?? createPaymentsService()], logger });
  const queue = "test-payments-events";
  await host.transport.declareQueue({
    name: queue,
    visibilityTimeoutMs: 5_000,
    maxReceiveCount: 3,
    backoff: { baseMs: 10, maxMs: 100 },
  });
  await host.transport.putRule({ name: queue, eventPattern: { source: ["mercato.payments"] }, queue });
  const events: EventEnvelope[] = [];
  const consumer: Subscription = await host.transport.consume(queue, async (delivery) => {
    events.push(delivery.event);
  });
  const running = host.services[0];
  if (!running) throw new Error("the host runs no service");
  const box = createSealedBox(await loadSecretKey(process.env.MERCATO_SECRET_KEY, dataDir));
  return {
    host,
    context: running.context as ServiceContext<PaymentsTables>,
    box,
    events,
    logs,
    async close() {
      await consumer.stop();
      await host.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A PaymentRequested as orders would publish it, for a new order unless one is given. */
export function paymentRequested(
  box: SealedBox,
  token: string,
  options: { orderId?: string; amount?: Money; sealedToken?: string } = {},
): EventEnvelope<{ orderId: string; amount: Money; sealedToken: string }> {
  return PaymentRequested.create(
    {
      orderId: options.orderId ?? uuidv7(),
      amount: options.amount ?? { amount: 4990, currency: "EUR" },
      sealedToken: options.sealedToken ?? box.seal(token, paymentTokenPurpose),
    },
    { correlationId: `test-${uuidv7()}` },
  );
}

export { waitFor } from "@mercato/platform/testing";

/** The events of one order, in arrival order. */
export function eventsOf(events: EventEnvelope[], orderId: string): EventEnvelope[] {
  return events.filter((event) => (event.detail as { orderId?: string }).orderId === orderId);
}
