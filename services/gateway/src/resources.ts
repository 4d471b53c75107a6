import { ResponseCache } from "./domain/response-cache.ts";
import type { GatewaySettings } from "./settings.ts";

/** What the gateway's routes and its subscription share in one run. */
export interface GatewayResources {
  /** Anonymous catalog reads, dropped when catalog events arrive. */
  cache: ResponseCache;
  /** Set by the routes once the rate limiter runs; closes its Redis connection. */
  closeRateLimits?: () => Promise<void>;
}

export function gatewayResources({ settings }: { settings: GatewaySettings }): GatewayResources {
  return { cache: new ResponseCache(5_000, settings.cacheTtlMs) };
}
