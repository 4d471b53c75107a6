import { cartService } from "@mercato/cart";
import { catalogService } from "@mercato/catalog";
import { createGatewayService } from "@mercato/gateway";
import { identityService } from "@mercato/identity";
import { inventoryService } from "@mercato/inventory";
import type { ServiceDefinition } from "@mercato/platform";

/**
 * Every service the platform runs, the gateway first so that its rate limits and cache stand in
 * front of the others' routes. Adding a service is one folder and one line here.
 */
// biome-ignore lint/suspicious/noExplicitAny: the host runs services of any database type.
export function allServices(): ServiceDefinition<any>[] {
  return [createGatewayService(), identityService, catalogService, inventoryService, cartService];
}
