import {
  type EventContext,
  type EventEnvelope,
  type Money,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  PaymentRequested,
  paymentTokenPurpose,
  ReturnReceived,
} from "@mercato/contracts";
import {
  createSealedBox,
  type Host,
  loadSecretKey,
  type SealedBox,
  type ServiceContext,
  type ServiceDefinition,
} from "@mercato/platform";
import { startTestHost } from "@mercato/platform/testing";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import {
  createSandboxProvider,
  type PaymentProvider,
  type PaymentsTables,
  paymentsService,
} from "../src/index.ts";

export interface PaymentsHost {
  host: Host;
  context: ServiceContext<PaymentsTables>;
  /** Seals tokens with the key the service opens them with (the one in its data directory). */
  box: SealedBox;
  /** Every event payments published since start, in arrival order. */
  events: EventEnvelope[];
  /** Everything the host logged, as pino's JSON lines. */
  logs: string[];
  /** True once no queue holds a message waiting, running or due, and the outbox is sent. */
  settled(): Promise<boolean>;
  close(): Promise<void>;
}

/** The payments service alone; by default with the sandbox provider and the data directory's key. */
export async function startPaymentsHost(
  options: { service?: ServiceDefinition<PaymentsTables>; postgres?: boolean } = {},
): Promise<PaymentsHost> {
  const logs: string[] = [];
  const started = await startTestHost({
    services: [options.service ?? paymentsService],
    ...(options.postgres ? { distributed: "database" as const } : {}),
    logger: pino({ level: "debug" }, { write: (line: string) => logs.push(line) }),
    record: { source: ["mercato.payments"] },
  });
  return {
    host: started.host,
    context: started.context<PaymentsTables>(),
    box: createSealedBox(await loadSecretKey(process.env.MERCATO_SECRET_KEY, started.dataDir)),
    events: started.events,
    logs,
    settled: started.settled,
    close: started.close,
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

const orderContext = (): EventContext => ({ correlationId: `test-${uuidv7()}` });
const eur = (amount: number): Money => ({ amount, currency: "EUR" });

/** OrderConfirmed as orders publishes it: one line of `total`. */
export function orderConfirmed(orderId: string, total: Money = eur(4990)) {
  const line = {
    productId: "p-1",
    sku: "SKU-1",
    name: "Kettle",
    quantity: 1,
    unitPrice: total,
    lineTotal: total,
  };
  return OrderConfirmed.create({ orderId, userId: "u-1", items: [line], total }, orderContext());
}

export function orderRejected(
  orderId: string,
  reason: "out_of_stock" | "payment_declined" | "payment_timeout" = "payment_timeout",
) {
  return OrderRejected.create({ orderId, userId: "u-1", reason }, orderContext());
}

export function orderCancelled(orderId: string, previousStatus: "pending" | "confirmed" = "confirmed") {
  return OrderCancelled.create(
    { orderId, userId: "u-1", previousStatus, cancelledBy: "customer" },
    orderContext(),
  );
}

export function returnReceived(orderId: string, returnId: string, refund: number) {
  return ReturnReceived.create(
    {
      returnId,
      orderId,
      userId: "u-1",
      items: [{ productId: "p-1", sku: "SKU-1", quantity: 1 }],
      refund: eur(refund),
    },
    orderContext(),
  );
}

export interface ProviderCall {
  operation: "authorize" | "capture" | "refund" | "void";
  paymentId: string;
  amount: Money;
}

/** The sandbox, noting every call it gets (never the token); `authorizeMs` makes authorizations slow. */
export function recordingSandbox(options: { authorizeMs?: number } = {}): {
  provider: PaymentProvider;
  calls: ProviderCall[];
  callsFor(paymentId: string, operation?: ProviderCall["operation"]): ProviderCall[];
} {
  const sandbox = createSandboxProvider();
  const calls: ProviderCall[] = [];
  const note = (operation: ProviderCall["operation"], request: { paymentId: string; amount: Money }) =>
    calls.push({ operation, paymentId: request.paymentId, amount: request.amount });
  return {
    calls,
    callsFor: (paymentId, operation) =>
      calls.filter((call) => call.paymentId === paymentId && (!operation || call.operation === operation)),
    provider: {
      async authorize(request) {
        note("authorize", request);
        if (options.authorizeMs) await new Promise((resolve) => setTimeout(resolve, options.authorizeMs));
        return sandbox.authorize(request);
      },
      async capture(request) {
        note("capture", request);
        return sandbox.capture(request);
      },
      async refund(request) {
        note("refund", request);
        return sandbox.refund(request);
      },
      async void(request) {
        note("void", request);
        return sandbox.void(request);
      },
    },
  };
}

export { waitFor } from "@mercato/platform/testing";

/** The events of one order, in arrival order. */
export function eventsOf(events: EventEnvelope[], orderId: string): EventEnvelope[] {
  return events.filter((event) => (event.detail as { orderId?: string }).orderId === orderId);
}
