import { type ChildProcess, spawn } from "node:child_process";
import type { Logger } from "@mercato/platform";
import { crashesAfter, restartDelayMs } from "./restart-backoff.ts";
import { type PlannedProcess, urlOf } from "./topology.ts";

/** `mercato start` exits with 2 when its settings are wrong: starting it again cannot help. */
const configurationError = 2;
const readinessPollMs = 200;

export class ProcessFailedError extends Error {
  override name = "ProcessFailedError";
}

/**
 * One `mercato start --service <name>` child, started again with backoff whenever it ends without
 * being asked to. It holds an IPC channel to the supervisor only so that it stops by itself when
 * the supervisor dies, even by kill -9 (see ShutdownSignals).
 */
export class SupervisedProcess {
  readonly url: string;
  private child: ChildProcess | undefined;
  private stopping = false;
  private crashes = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private failure: ProcessFailedError | undefined;

  constructor(
    readonly planned: PlannedProcess,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
  ) {
    this.url = urlOf(planned);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const [entry = ""] = process.argv.slice(1);
    const child = spawn(
      process.execPath,
      [...process.execArgv, entry, "start", "--service", this.planned.service],
      {
        env: { ...this.env, PORT: String(this.planned.port) },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    );
    this.child = child;
    const startedAt = Date.now();
    this.logger.info({ process: this.planned.name, pid: child.pid, url: this.url }, "process started");
    child.once("exit", (code, signal) => this.exited(child, code, signal, Date.now() - startedAt));
  }

  /** Resolves once the process answers /health/ready (migrations run, database and bus reached). */
  async ready(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      signal.throwIfAborted();
      const answer = await fetch(new URL("/health/ready", this.url), { signal }).catch(() => undefined);
      await answer?.body?.cancel();
      if (answer?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, readinessPollMs));
    }
  }

  /** SIGTERM, the orderly stop (requests, consumers and the outbox drain); resolves at its exit. */
  stop(): Promise<void> {
    return this.end("SIGTERM");
  }

  /** SIGKILL, for a stop that is taking too long. */
  kill(): Promise<void> {
    return this.end("SIGKILL");
  }

  /**
   * From now on an exit is final. Called as soon as the supervisor is told to stop: a Ctrl-C in
   * a terminal reaches every process of the group at once, and their exits are not crashes.
   */
  noMoreRestarts(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
  }

  /** SIGKILL without waiting, for a supervisor that is exiting this instant. */
  killNow(): void {
    this.noMoreRestarts();
    this.child?.kill("SIGKILL");
  }

  private end(signal: NodeJS.Signals): Promise<void> {
    this.noMoreRestarts();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    return exited;
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, ranMs: number) {
    if (child !== this.child || this.stopping) return;
    const how = { process: this.planned.name, pid: child.pid, code, signal };
    if (code === configurationError) {
      this.failure = new ProcessFailedError(
        `${this.planned.name} refused its settings (exit code 2); see its message above`,
      );
      this.logger.error(how, "process refused its settings; not restarting it");
      return;
    }
    this.crashes = crashesAfter(this.crashes, ranMs);
    const delayMs = restartDelayMs(this.crashes);
    this.logger.warn(
      { ...how, crashesInARow: this.crashes, restartInMs: delayMs },
      "process ended; restarting",
    );
    this.restartTimer = setTimeout(() => this.start(), delayMs);
  }
}
