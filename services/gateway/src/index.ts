import { defineService } from "@mercato/platform";
import { limitRequestRates } from "./api/rate-limits.ts";
import { cacheCatalogReads } from "./api/response-caching.ts";
import { forwardToServices } from "./api/service-proxy.ts";
import { serveWebApp } from "./api/web-app.ts";
import { dropCachedCatalog } from "./handlers/drop-cached-catalog.ts";
import { type GatewayResources, gatewayResources } from "./resources.ts";
import { type GatewaySettings, gatewaySettingsSchema } from "./settings.ts";

export { type GatewaySettings, gatewaySettings } from "./settings.ts";

/**
 * The single entry: rate limits per client and a cache of anonymous catalog reads, dropped when
 * catalog events arrive. In one process it stands in front of the services' routes by being
 * registered first; with `serviceUrls` (distributed) it forwards the paths of those services to
 * their processes, behind the same limits and cache. It owns no tables. Token checks are the
 * services' own (every route verifies), so the gateway passes Authorization on untouched. It also
 * serves the web storefront (apps/web) at `/` when it has been built.
 */
export const gatewayService = defineService<unknown, GatewaySettings, GatewayResources>({
  name: "gateway",
  settings: gatewaySettingsSchema,
  resources: gatewayResources,
  async routes(app, { config, settings, resources }) {
    resources.closeRateLimits = await limitRequestRates(app, {
      max: settings.requestsPerMinute,
      windowMs: 60_000,
      redisUrl: config.redisUrl,
    });
    if (settings.cacheTtlMs > 0) cacheCatalogReads(app, resources.cache);
    if (settings.serviceUrls) {
      await forwardToServices(app, {
        serviceUrls: settings.serviceUrls,
        timeoutMs: settings.upstreamTimeoutMs ?? 10_000,
      });
    }
    await serveWebApp(app);
  },
  subscriptions: [dropCachedCatalog],
  async onStop({ resources }) {
    await resources.closeRateLimits?.();
  },
});
