import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = fileURLToPath(new URL("../../apps/cli/bin/mercato.js", import.meta.url));
/** What a failed start or a test failure shows of a process's own output. */
const keptOutputChars = 16_000;

export interface MercatoProcess {
  name: string;
  url: string;
  /** The last lines the process wrote, for a failure message. */
  output(): string;
  /** kill -9: no shutdown step runs, whatever was in flight is lost. */
  kill(): Promise<void>;
  /** Starts the same services again with the same environment and port. */
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** Sends a signal and returns at once. */
  signal(signal: NodeJS.Signals): void;
  /** The exit code (or the signal's name) once the process has ended. */
  exited(): Promise<number | string>;
  /** Resolves once the process has written a line that matches. */
  printed(pattern: RegExp): Promise<void>;
}

/**
 * Processes still running when the test process ends: a test that gave up waiting for one (its
 * timeout) must not leave it behind.
 */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A port nothing listens on now, so that a restarted process can take the same one. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `mercato start --service <name>...` as a child process, as a distributed deployment runs it;
 * resolves once the process answers /health/ready.
 */
export async function startMercatoProcess(options: {
  name: string;
  services: string[];
  env: Record<string, string>;
  /** Chosen beforehand when other processes must know this one's address; any free one otherwise. */
  port?: number;
}): Promise<MercatoProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";
  let exit: Promise<number | string> = Promise.resolve("not started");
  const outputWaiters = new Set<() => void>();

  const launch = async () => {
    output = "";
    const started = spawn(
      process.execPath,
      [bin, "start", ...options.services.flatMap((service) => ["--service", service])],
      {
        cwd: root,
        env: { ...process.env, ...options.env, PORT: String(port) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = started;
    running.add(started);
    exit = new Promise((resolve) =>
      started.once("exit", (code, signal) => {
        running.delete(started);
        resolve(code ?? signal ?? "");
      }),
    );
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-keptOutputChars);
      for (const wake of outputWaiters) wake();
    };
    started.stdout?.on("data", keep);
    started.stderr?.on("data", keep);
    await untilReady(started, url).catch((error: Error) => {
      started.kill("SIGKILL");
      throw new Error(`${options.name} did not start: ${error.message}\n${output}`);
    });
  };

  const endWith = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill(signal);
    await exited;
  };

  await launch();
  return {
    name: options.name,
    url,
    output: () => output,
    kill: () => endWith("SIGKILL"),
    restart: launch,
    stop: () => endWith("SIGTERM"),
    signal: (signal) => child?.kill(signal),
    exited: () => exit,
    printed: (pattern) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!pattern.test(output)) return;
          outputWaiters.delete(check);
          resolve();
        };
        outputWaiters.add(check);
        check();
      }),
  };
}

/** Waits for /health/ready to answer 200, or for the process to end; the test's timeout guards a hang. */
async function untilReady(child: ChildProcess, url: string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    const ready = await fetch(new URL("/health/ready", url)).catch(() => undefined);
    await ready?.body?.cancel();
    if (ready?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
