export { removeNatsResources } from "./cleanup.ts";
export { createNatsTransport, type NatsTransportOptions } from "./nats-transport.ts";
