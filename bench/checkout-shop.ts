import type { ChildProcess } from "node:child_process";
import type { CpuAccount } from "./process-cpu.ts";

export interface Outcome {
  status: string;
  at: number;
}

/** Where the benchmark checks out, and how it hears of each order's outcome. */
export interface Shop {
  ordersUrl: string;
  tokens: string[];
  outcomes: Outcomes;
  /** The processes a checkout costs CPU time in: the services', and the servers they use. */
  accounts: CpuAccount[];
  stop(): Promise<void>;
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
