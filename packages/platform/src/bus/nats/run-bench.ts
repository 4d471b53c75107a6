import { benchNatsTransport, benchRawJetStream } from "./bench.ts";

/**
 * Prints the NATS transport beside bare JetStream, same payload, same server:
 * `node --import tsx packages/platform/src/bus/nats/run-bench.ts [events] [payloadBytes]`
 * (BUS_URL overrides nats://127.0.0.1:4222).
 */
const url = process.env.BUS_URL ?? "nats://127.0.0.1:4222";
const events = Number(process.argv[2] ?? 20_000);
const payloadBytes = Number(process.argv[3] ?? 512);

const raw = await benchRawJetStream({ url, events, payloadBytes });
const transport = await benchNatsTransport({ url, events, payloadBytes });
const ratio = transport.eventsPerSecond / raw.eventsPerSecond;
console.log(`events=${events} payloadBytes=${payloadBytes} url=${url}`);
console.log(`raw JetStream publish+consume+ack: ${Math.round(raw.eventsPerSecond)} events/s`);
console.log(
  `NATS transport publish->handler ack: ${Math.round(transport.eventsPerSecond)} events/s, p50 ${transport.p50Ms.toFixed(1)} ms, p99 ${transport.p99Ms.toFixed(1)} ms`,
);
console.log(`transport / raw: ${(ratio * 100).toFixed(0)}% (target >= 50%)`);
