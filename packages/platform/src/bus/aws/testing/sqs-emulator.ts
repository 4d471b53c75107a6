import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { type ReceiveMessageCommandInput, SQSClient } from "@aws-sdk/client-sqs";

/**
 * An SQS emulator for tests: moto's server (`moto_server`, Python), started on a free port for one
 * test file. It speaks the AWS JSON protocol of the current SDK and keeps SQS's semantics that
 * the transport relies on (visibility timeouts, receive counts, redrive policies, FIFO groups,
 * long polling). sqslite, the npm emulator, speaks only the query protocol and does not redeliver
 * a message whose visibility timeout ran out (see ../README.md).
 */
export interface SqsEmulator {
  readonly endpoint: string;
  /** A client of the emulator, with dummy credentials (never the machine's AWS configuration). */
  client(): SQSClient;
  stop(): Promise<void>;
}

export const emulatorRegion = "us-east-1";
export const emulatorCredentials = { accessKeyId: "test", secretAccessKey: "test" };
const COMMAND = "moto_server";
const START_TIMEOUT_MS = 30_000;

/** Whether moto_server can be run here. */
export function sqsEmulatorAvailable(): boolean {
  return spawnSync(COMMAND, ["--help"], { stdio: "ignore" }).status === 0;
}

/**
 * Resolves true when the emulator can run; false (the file should skip) when it cannot; throws
 * under CI=true, so CI never passes by skipping.
 */
export function requireSqsEmulator(): boolean {
  if (sqsEmulatorAvailable()) return true;
  const message = `${COMMAND} (Python moto[server]) is not installed`;
  if (process.env.CI === "true") throw new Error(`${message}; CI=true requires it`);
  console.warn(`Skipping AWS transport tests: ${message}`);
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${COMMAND} exited (${child.exitCode}): ${output()}`);
    try {
      await fetch(`${endpoint}/moto-api/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${COMMAND} did not answer within ${START_TIMEOUT_MS} ms: ${output()}`);
}

export async function startSqsEmulator(): Promise<SqsEmulator> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(COMMAND, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // A test process that dies must not leave the emulator running.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  try {
    await waitUntilServing(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    client: () => {
      const client = new SQSClient({
        region: emulatorRegion,
        endpoint,
        credentials: emulatorCredentials,
        requestHandler: { httpAgent: { maxSockets: 1_000 } },
      });
      serializeReceives(client);
      return client;
    },
    stop,
  };
}

/**
 * moto's ReceiveMessage is not atomic across its server threads: two receives of one queue at the
 * same moment can take the same message, or two messages of one FIFO group, which SQS does not
 * do. The test client sends one receive of a queue at a time, and, so that a waiting poll does
 * not hold up the others, as a short poll that returns after a 100 ms pause when it finds nothing
 * (a long poll that ends early, which the consumer handles like any other).
 */
function serializeReceives(client: SQSClient): void {
  const tails = new Map<string, Promise<unknown>>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "ReceiveMessageCommand") return next(args);
      const input = args.input as ReceiveMessageCommandInput;
      const url = input.QueueUrl ?? "";
      const receive = async () => {
        const result = await next({ ...args, input: { ...input, WaitTimeSeconds: 0 } });
        const messages = (result.output as { Messages?: unknown[] }).Messages ?? [];
        if (messages.length === 0 && (input.WaitTimeSeconds ?? 0) > 0) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return result;
      };
      const result = (tails.get(url) ?? Promise.resolve()).catch(() => {}).then(receive);
      tails.set(url, result);
      return result;
    },
    { step: "initialize", name: "serializeReceives" },
  );
}
