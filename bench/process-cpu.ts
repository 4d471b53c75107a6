import { readdir, readFile } from "node:fs/promises";

/** A named group of processes whose CPU time a measure charges to the work it did. */
export interface CpuAccount {
  name: string;
  /** The process ids now (PostgreSQL starts a backend per connection, so it is asked each time). */
  pids(): Promise<number[]>;
}

// USER_HZ, the unit of /proc times: 100 on Linux (getconf CLK_TCK).
const ticksPerSecond = 100;

/** CPU time (user + system, ms) a process has used so far; 0 once it has gone. */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!stat) return 0;
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
}

/** Every running process whose command name is `command` (as /proc/<pid>/comm has it). */
export async function pidsNamed(command: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, "utf8").catch(() => "");
    if (comm.trim() === command) pids.push(Number(entry));
  }
  return pids;
}

export const fixedPids = (name: string, pids: number[]): CpuAccount => ({ name, pids: async () => pids });

/** The servers a checkout on PostgreSQL + NATS also costs: every PostgreSQL process and NATS. */
export const serverAccounts: CpuAccount[] = [
  { name: "PostgreSQL", pids: () => pidsNamed("postgres") },
  { name: "NATS", pids: () => pidsNamed("nats-server") },
];

/**
 * CPU used by each account between `start` and `stop`, per unit of work. A backend that ends
 * during the measure takes its time with it, and one that starts brings all of its own: the
 * benchmarks hold their connections open across a measure, so neither happens there.
 */
export class CpuMeter {
  private before = new Map<number, number>();
  private loadGenerator = process.cpuUsage();

  constructor(private readonly accounts: CpuAccount[]) {}

  async start(): Promise<void> {
    this.before = await this.sample();
    this.loadGenerator = process.cpuUsage();
  }

  /** CPU ms per unit for each account and for this process (the load generator), and in all. */
  async perUnit(units: number): Promise<{ name: string; ms: number }[]> {
    const generator = process.cpuUsage(this.loadGenerator);
    const after = await this.sample();
    const rows: { name: string; ms: number }[] = [];
    for (const account of this.accounts) {
      let used = 0;
      for (const pid of await account.pids()) used += (after.get(pid) ?? 0) - (this.before.get(pid) ?? 0);
      rows.push({ name: account.name, ms: used / units });
    }
    rows.push({ name: "load generator", ms: (generator.user + generator.system) / 1000 / units });
    rows.push({ name: "all", ms: rows.reduce((sum, row) => sum + row.ms, 0) });
    return rows;
  }

  private async sample(): Promise<Map<number, number>> {
    const times = new Map<number, number>();
    for (const account of this.accounts) {
      for (const pid of await account.pids()) times.set(pid, await processCpuMs(pid));
    }
    return times;
  }
}
