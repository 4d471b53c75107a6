/**
 * Compares the throughput of a route on `createHttpServer` with the same route on a bare Fastify
 * server; run by hand, not a test:
 *
 *   npx tsx bench/http-throughput.ts [seconds=8] [connections=32]
 *
 * Each server runs in a child process; this process is the load generator, a keep-alive HTTP/1.1
 * client on raw sockets (Node's http client would be the bottleneck long before Fastify). Variants:
 * - `bare`: `Fastify()` and the route without schemas;
 * - `bare-zod`: `Fastify()` with the zod compilers and the route with its zod schemas, to separate
 *   what zod costs from what the platform adds;
 * - `mercato`: `createHttpServer` with the zod route, logging at `info` into a file;
 * - `mercato-debug`: the same logging at `debug`, so every request writes its line.
 * Besides requests per second it reports the server's CPU time per request, which stays meaningful
 * when the load generator or other processes compete for the cores.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Fastify from "fastify";
import { type FastifyPluginAsyncZod, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { pino } from "pino";
import { z } from "zod";
import { createHttpServer } from "../packages/platform/src/http/server.ts";
import { createMetrics } from "../packages/platform/src/metrics/registry.ts";

const variants = ["bare", "bare-zod", "mercato", "mercato-debug"] as const;
type Variant = (typeof variants)[number];

const responseBody = { id: "p1", name: "Teapot", price: { amount: 1999, currency: "EUR" } };

const zodRoute: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/products/:id",
    {
      schema: {
        params: z.object({ id: z.string().max(64) }),
        response: {
          200: z.object({
            id: z.string(),
            name: z.string(),
            price: z.object({ amount: z.number().int(), currency: z.string() }),
          }),
        },
      },
    },
    async (request) => ({ ...responseBody, id: request.params.id }),
  );
};

function createServer(variant: Variant, logFile: string) {
  if (variant === "bare") {
    const app = Fastify();
    app.get<{ Params: { id: string } }>("/products/:id", async (request) => ({
      ...responseBody,
      id: request.params.id,
    }));
    return app;
  }
  if (variant === "bare-zod") {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.register(zodRoute);
    return app;
  }
  const level = variant === "mercato-debug" ? "debug" : "info";
  const app = createHttpServer({
    logger: pino({ level }, pino.destination({ dest: logFile })),
    metrics: createMetrics(),
    title: "throughput",
    version: "0",
  });
  app.register(zodRoute);
  return app;
}

async function serve(variant: Variant, logFile: string): Promise<void> {
  const app = createServer(variant, logFile);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  process.on("message", () => process.send?.(process.cpuUsage()));
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
}

/** Keeps `connections` sockets busy with one request each at a time; counts 200 answers. */
async function load(port: number, seconds: number, connections: number): Promise<number> {
  const request = Buffer.from(`GET /products/p42 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  let completed = 0;
  let failed = 0;
  let running = true;
  const sockets = Array.from({ length: connections }, () => {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const headerEnd = pending.indexOf("\r\n\r\n");
        if (headerEnd === -1) return;
        const head = pending.subarray(0, headerEnd).toString("latin1");
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        const total = headerEnd + 4 + length;
        if (pending.length < total) return;
        if (head.startsWith("HTTP/1.1 200")) completed++;
        else failed++;
        pending = pending.subarray(total);
        if (running) socket.write(request);
      }
    });
    socket.on("connect", () => socket.write(request));
    return socket;
  });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  running = false;
  for (const socket of sockets) socket.destroy();
  if (failed > 0) throw new Error(`${failed} responses were not 200`);
  return completed / seconds;
}

interface Measurement {
  requestsPerSecond: number;
  /** Server CPU time (user + system) per request: what throughput is once the server has a core to itself. */
  cpuMicrosPerRequest: number;
}

async function measure(
  variant: Variant,
  seconds: number,
  connections: number,
  logFile: string,
): Promise<Measurement> {
  const child = fork(fileURLToPath(import.meta.url), ["serve", variant, logFile], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [{ port }] = (await once(child, "message")) as [{ port: number }];
  const cpu = async () => {
    child.send("cpu");
    const [usage] = (await once(child, "message")) as [NodeJS.CpuUsage];
    return usage.user + usage.system;
  };
  await load(port, 2, connections);
  const cpuBefore = await cpu();
  const requestsPerSecond = await load(port, seconds, connections);
  const cpuMicrosPerRequest = ((await cpu()) - cpuBefore) / (requestsPerSecond * seconds);
  child.kill();
  await once(child, "exit");
  return { requestsPerSecond, cpuMicrosPerRequest };
}

/** `npm run bench -- http`, or run directly with `[seconds] [connections]`. */
export async function main(args: string[] = []): Promise<void> {
  const [mode, variant, logFile] = args;
  if (mode === "serve") return serve(variant as Variant, logFile ?? "/dev/null");

  const seconds = Number(args[0] ?? 8);
  const connections = Number(args[1] ?? 32);
  const directory = mkdtempSync(join(tmpdir(), "mercato-throughput-"));
  const results = new Map<Variant, Measurement[]>(variants.map((variant) => [variant, []]));
  try {
    for (let round = 1; round <= 2; round++) {
      for (const variant of variants) {
        const result = await measure(
          variant,
          seconds,
          connections,
          join(directory, `${variant}-${round}.log`),
        );
        results.get(variant)?.push(result);
        console.log(
          `round ${round} ${variant.padEnd(14)} ${Math.round(result.requestsPerSecond)} req/s, ` +
            `${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/request`,
        );
      }
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  const mean = (variant: Variant, pick: (result: Measurement) => number) => {
    const values = (results.get(variant) ?? []).map(pick);
    return values.reduce((sum, value) => sum + value, 0) / values.length;
  };
  const rate = (variant: Variant) => mean(variant, (result) => result.requestsPerSecond);
  const cpu = (variant: Variant) => mean(variant, (result) => result.cpuMicrosPerRequest);
  for (const variant of variants.slice(1)) {
    console.log(
      `${variant.padEnd(14)} ${((rate(variant) / rate("bare")) * 100).toFixed(1)}% of bare Fastify's req/s, ` +
        `${((cpu("bare") / cpu(variant)) * 100).toFixed(1)}% by server CPU per request`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
