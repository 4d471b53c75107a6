import { describeMachine } from "./machine.ts";

/**
 * `npm run bench [-- <name>...]`: runs the named benchmarks, or all of those in `benchmarks`. The
 * component benchmarks (a transport alone, the HTTP server alone) run only when named.
 */
const benchmarks: Record<string, () => Promise<void>> = {
  patterns: async () => (await import("./patterns.ts")).main(),
  bus: async () => (await import("./bus.ts")).main(),
  catalog: async () => (await import("./catalog.ts")).main(),
  checkout: async () => (await import("./checkout.ts")).main(),
  startup: async () => (await import("./startup.ts")).main(),
  ingestion: async () => (await import("./ingestion.ts")).main(),
  webhooks: async () => (await import("./webhooks.ts")).main(),
  notifications: async () => (await import("./notifications.ts")).main(),
  recommendations: async () => (await import("./recommendations.ts")).main(),
  web: async () => (await import("./web.ts")).main(),
};
const componentBenchmarks: Record<string, () => Promise<void>> = {
  "embedded-transport": async () => (await import("./embedded-transport.ts")).main(),
  "nats-transport": async () => (await import("./nats-transport.ts")).main(),
  http: async () => (await import("./http-throughput.ts")).main(),
};

const known = { ...benchmarks, ...componentBenchmarks };
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in known));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(known).join(", ")}`);
  process.exit(2);
}
console.log(`machine: ${describeMachine()}`);
for (const name of requested.length > 0 ? requested : Object.keys(benchmarks)) {
  console.log(`\n== ${name} ==`);
  await known[name]?.();
}
