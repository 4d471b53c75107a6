import {
  BackInStock,
  type EventEnvelope,
  OrderConfirmed,
  OrderPlaced,
  PriceChanged,
  ProductCreated,
  UserRegistered,
} from "@mercato/contracts";
import { configureService, type Logger } from "@mercato/platform";
import { startTestHost, type TestHost } from "@mercato/platform/testing";
import { v7 as uuidv7 } from "uuid";
import { type NotificationsSettings, notificationsService } from "../src/index.ts";

const context = { correlationId: "notifications-test" };

export interface Customer {
  id: string;
  email: string;
  name: string;
  token: string;
}

export interface NotificationsHost extends TestHost {
  /** A customer with a token, announced to the service by UserRegistered. */
  customer(name?: string): Promise<Customer>;
  publish(...events: EventEnvelope[]): Promise<void>;
}

/** Notifications alone, fed events by the test as the other services would publish them. */
export async function startNotifications(
  options: {
    mail?: Partial<NotificationsSettings["mail"]>;
    keepAliveMs?: number;
    distributed?: boolean;
    logger?: Logger;
  } = {},
): Promise<NotificationsHost> {
  const service = configureService(notificationsService, {
    settings: {
      mail: { ...defaultMail, ...options.mail },
      ...(options.keepAliveMs ? { keepAliveMs: options.keepAliveMs } : {}),
    },
  });
  const host = await startTestHost({
    services: [service],
    record: { source: ["mercato.notifications"] },
    ...(options.distributed ? { distributed: true } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  let customers = 0;
  return {
    ...host,
    async customer(name = "Ada") {
      customers += 1;
      const id = uuidv7();
      const email = `customer-${customers}-${id.slice(-6)}@example.com`;
      const token = await host.authority?.token({ id, email, name });
      if (!token) throw new Error("the test host has no token authority");
      await host.host.transport.publish([UserRegistered.create({ userId: id, email, name }, context)]);
      return { id, email, name, token };
    },
    async publish(...events) {
      await host.host.transport.publish(events);
    },
  };
}

const defaultMail: NotificationsSettings["mail"] = {
  smtpUrl: undefined,
  from: "Mercato <no-reply@mercato.local>",
  publicUrl: "http://shop.test",
  maxAttempts: 16,
  retry: { baseMs: 50, maxMs: 200 },
};

const euros = (amount: number) => ({ amount, currency: "EUR" });

export function orderPlaced(userId: string, orderId = uuidv7()): EventEnvelope {
  return OrderPlaced.create(
    {
      orderId,
      userId,
      items: [line()],
      total: euros(2500),
      shippingAddress: {
        name: "Ada Lovelace",
        line1: "12 St James's Square",
        city: "London",
        postalCode: "SW1Y 4JH",
        country: "GB",
      },
    },
    context,
  );
}

export function orderConfirmed(userId: string, orderId = uuidv7()): EventEnvelope {
  return OrderConfirmed.create({ orderId, userId, items: [line()], total: euros(2500) }, context);
}

function line() {
  return {
    productId: "p-1",
    sku: "SKU-1",
    name: "Teapot",
    quantity: 2,
    unitPrice: euros(1250),
    lineTotal: euros(2500),
  };
}

export function productCreated(product: { productId?: string; sku: string; name?: string; price?: number }) {
  return ProductCreated.create(
    {
      productId: product.productId ?? uuidv7(),
      sku: product.sku,
      name: product.name ?? `Product ${product.sku}`,
      description: "",
      category: "Tests",
      price: euros(product.price ?? 10_000),
      attributes: {},
      images: [],
      inStock: true,
    },
    context,
  );
}

export function priceChanged(product: { productId: string; sku: string }, from: number, to: number) {
  return PriceChanged.create({ ...product, oldPrice: euros(from), newPrice: euros(to) }, context);
}

export function backInStock(sku: string) {
  return BackInStock.create({ sku, available: 3 }, context);
}
