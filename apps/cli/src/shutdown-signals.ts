import { constants } from "node:os";
import { releaseDataDirectoryLocksSync } from "@mercato/platform";

const signals = ["SIGINT", "SIGTERM"] as const;

/**
 * A Ctrl-C reaches the server twice: from the terminal, which signals the whole process group, and
 * again from `npm start`, which passes it on to its child. A repeat this soon after the first is
 * that echo, not a person pressing Ctrl-C again.
 */
const echoWindowMs = 1000;

/**
 * Listens for SIGINT and SIGTERM from the moment it is made. The first asks for an orderly stop
 * (`requested` resolves); one more during that stop exits at once, giving back the data directory
 * lock first so that the next start is not refused.
 */
export class ShutdownSignals {
  readonly requested: Promise<NodeJS.Signals>;
  private resolveRequested!: (signal: NodeJS.Signals) => void;
  private firstAt: number | undefined;

  constructor(private readonly onForcedExit: (signal: NodeJS.Signals) => void) {
    this.requested = new Promise((resolve) => {
      this.resolveRequested = resolve;
    });
    for (const signal of signals) process.on(signal, this.receive);
    // A process the distributed supervisor started has an IPC channel to it: when the supervisor
    // ends, even by kill -9, the channel closes, and this process stops in order instead of
    // running on unsupervised. The channel must not keep the process alive by itself.
    if (process.channel) {
      process.channel.unref();
      process.once("disconnect", this.supervisorGone);
    }
  }

  get received(): boolean {
    return this.firstAt !== undefined;
  }

  dispose(): void {
    for (const signal of signals) process.off(signal, this.receive);
    process.off("disconnect", this.supervisorGone);
  }

  private readonly supervisorGone = () => this.receive("SIGTERM");

  private readonly receive = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (this.firstAt === undefined) {
      this.firstAt = now;
      this.resolveRequested(signal);
      return;
    }
    if (now - this.firstAt < echoWindowMs) return;
    this.onForcedExit(signal);
    releaseDataDirectoryLocksSync();
    process.exit(128 + constants.signals[signal]);
  };
}
