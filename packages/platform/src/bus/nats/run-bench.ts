import { benchNatsTransport, benchRawJetStream } from "./bench.ts";

/**
 * Prints the NATS transport beside bare JetStream, same payload, same server, alternating the two
 * for several rounds and reporting medians, so a busy machine skews both alike:
 * `node --import tsx packages/platform/src/bus/nats/run-bench.ts [events] [payloadBytes] [rounds]`
 * (BUS_URL overrides nats://127.0.0.1:4222).
 */
const url = process.env.BUS_URL ?? "nats://127.0.0.1:4222";
const events = Number(process.argv[2] ?? 20_000);
const payloadBytes = Number(process.argv[3] ?? 512);
const rounds = Number(process.argv[4] ?? 3);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const raw: number[] = [];
const transport: { eventsPerSecond: number; p50Ms: number; p99Ms: number }[] = [];
for (let round = 1; round <= rounds; round++) {
  const rawResult = await benchRawJetStream({ url, events, payloadBytes });
  const transportResult = await benchNatsTransport({ url, events, payloadBytes });
  raw.push(rawResult.eventsPerSecond);
  transport.push(transportResult);
  console.log(
    `round ${round}: raw ${Math.round(rawResult.eventsPerSecond)} events/s, transport ${Math.round(transportResult.eventsPerSecond)} events/s`,
  );
}

const rawRate = median(raw);
const transportRate = median(transport.map((result) => result.eventsPerSecond));
console.log(`events=${events} payloadBytes=${payloadBytes} rounds=${rounds} url=${url} (medians)`);
console.log(`raw JetStream publish+consume+ack: ${Math.round(rawRate)} events/s`);
console.log(
  `NATS transport publish->handler ack: ${Math.round(transportRate)} events/s, p50 ${median(transport.map((r) => r.p50Ms)).toFixed(1)} ms, p99 ${median(transport.map((r) => r.p99Ms)).toFixed(1)} ms`,
);
console.log(`transport / raw: ${Math.round((transportRate / rawRate) * 100)}% (target >= 50%)`);
