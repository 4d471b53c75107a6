import { cartService } from "@mercato/cart";
import { catalogService } from "@mercato/catalog";
import { eventsService } from "@mercato/events";
import { gatewayService } from "@mercato/gateway";
import { identityService } from "@mercato/identity";
import { inventoryService } from "@mercato/inventory";
import { notificationsService } from "@mercato/notifications";
import { ordersService } from "@mercato/orders";
import { paymentsService } from "@mercato/payments";
import type { ServiceDefinition } from "@mercato/platform";
import { recommendationsService } from "@mercato/recommendations";
import { webhooksService } from "@mercato/webhooks";

// biome-ignore lint/suspicious/noExplicitAny: the host runs services of any database type.
type AnyService = ServiceDefinition<any>;

/**
 * Every service the platform runs, by name, the gateway first so that its rate limits and cache
 * stand in front of the others' routes. A service is built only when it runs here, so that one
 * service's settings never stop another's process. Adding a service is one folder and one line.
 */
export const serviceCatalog: { name: string; create(): AnyService }[] = [
  { name: "gateway", create: () => gatewayService },
  { name: "identity", create: () => identityService },
  { name: "catalog", create: () => catalogService },
  { name: "inventory", create: () => inventoryService },
  { name: "cart", create: () => cartService },
  { name: "orders", create: () => ordersService },
  { name: "payments", create: () => paymentsService },
  { name: "recommendations", create: () => recommendationsService },
  { name: "events", create: () => eventsService },
  { name: "notifications", create: () => notificationsService },
  { name: "webhooks", create: () => webhooksService },
];

/** The services named (all when none are), built. */
export function selectServices(names: string[] = []): AnyService[] {
  return serviceCatalog
    .filter((entry) => names.length === 0 || names.includes(entry.name))
    .map((entry) => entry.create());
}
