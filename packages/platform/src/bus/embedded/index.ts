export { benchEmbeddedTransport } from "./bench.ts";
export { createEmbeddedTransport, type EmbeddedTransportOptions } from "./embedded-transport.ts";
