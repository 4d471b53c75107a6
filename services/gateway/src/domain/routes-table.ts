/** The services that answer HTTP requests (payments has no public routes), as named in MERCATO_SERVICE_URLS. */
export const routedServices = [
  "identity",
  "catalog",
  "inventory",
  "cart",
  "orders",
  "recommendations",
  "notifications",
  "webhooks",
  "events",
] as const;

export type RoutedService = (typeof routedServices)[number];

export type ProxiedMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

export const proxiedMethods: readonly ProxiedMethod[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
];

/** One Fastify route pattern of the gateway and the service that owns what it matches. */
export interface ServiceRoute {
  service: RoutedService;
  path: string;
  methods: readonly ProxiedMethod[];
}

/** A prefix owns the path itself and everything below it, by whole segments: `/api/cart` is not `/api/cartoons`. */
function below(service: RoutedService, prefix: string): ServiceRoute[] {
  return [
    { service, path: prefix, methods: proxiedMethods },
    { service, path: `${prefix}/*`, methods: proxiedMethods },
  ];
}

/**
 * Who answers which public path (api.md). The router prefers a static or parametric segment over a
 * wildcard, so `POST /api/products/{id}/views` reaches recommendations while every other path under
 * `/api/products` reaches catalog. The event log is the events service's; the rest of `/api/ops/*`
 * is every process's own, and the gateway's answers for all processes when given their addresses
 * (MERCATO_PEER_URLS).
 */
export const serviceRoutes: readonly ServiceRoute[] = [
  ...below("identity", "/api/auth"),
  ...below("identity", "/api/me"),
  ...below("identity", "/.well-known"),
  ...below("catalog", "/api/products"),
  ...below("catalog", "/api/categories"),
  ...below("inventory", "/api/inventory"),
  ...below("cart", "/api/cart"),
  ...below("orders", "/api/orders"),
  ...below("orders", "/api/returns"),
  ...below("recommendations", "/api/recommendations"),
  { service: "recommendations", path: "/api/products/:id/views", methods: ["POST"] },
  ...below("notifications", "/api/notifications"),
  ...below("notifications", "/api/watches"),
  ...below("webhooks", "/api/webhooks"),
  ...below("events", "/api/events"),
  ...below("events", "/api/api-keys"),
  { service: "events", path: "/api/ops/events", methods: ["GET", "HEAD"] },
  // Outside /api: EventBridge's wire protocol, for the AWS SDKs (api.md, "Events in").
  ...below("events", "/aws/events"),
];
