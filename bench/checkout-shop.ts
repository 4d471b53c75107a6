import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";

export interface Outcome {
  status: string;
  at: number;
}

/** Where the benchmark checks out, and how it hears of each order's outcome. */
export interface Shop {
  ordersUrl: string;
  tokens: string[];
  outcomes: Outcomes;
  /** The processes that run the services, whose CPU time a checkout costs. */
  pids: number[];
  stop(): Promise<void>;
}

/**
 * CPU time (user + system, ms) the processes have used so far, from /proc: unlike throughput on a
 * shared machine, it does not change with what else runs there.
 */
export async function cpuMs(pids: number[]): Promise<number> {
  // USER_HZ, the unit of /proc times: 100 on Linux (getconf CLK_TCK).
  const ticksPerSecond = 100;
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / ticksPerSecond) * 1000;
}

/** Pairs each placed order with its OrderConfirmed or OrderRejected, whichever comes first. */
export class Outcomes {
  private readonly waiting = new Map<string, (outcome: Outcome) => void>();
  private readonly early = new Map<string, Outcome>();

  record(orderId: string, outcome: Outcome): void {
    const resolve = this.waiting.get(orderId);
    if (!resolve) {
      this.early.set(orderId, outcome);
      return;
    }
    this.waiting.delete(orderId);
    resolve(outcome);
  }

  async of(orderId: string): Promise<Outcome> {
    const early = this.early.get(orderId);
    if (early) {
      this.early.delete(orderId);
      return early;
    }
    return new Promise((resolve) => this.waiting.set(orderId, resolve));
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
