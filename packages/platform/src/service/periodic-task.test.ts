import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { sleep } from "../bus/test/wait.ts";
import { startPeriodicTask } from "./periodic-task.ts";

describe("startPeriodicTask", () => {
  it("runs one at a time, logs a failed run and runs again at the next tick, and stop waits for a run", async () => {
    const logs: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => logs.push(line) });
    let runs = 0;
    let concurrent = 0;
    let mostConcurrent = 0;
    const task = startPeriodicTask({ name: "test sweep", intervalMs: 5, logger }, async () => {
      runs += 1;
      concurrent += 1;
      mostConcurrent = Math.max(mostConcurrent, concurrent);
      await sleep(20);
      concurrent -= 1;
      if (runs === 1) throw new Error("first run fails");
    });
    await sleep(120);
    await task.stop();
    const stoppedAt = runs;
    await sleep(30);

    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBe(stoppedAt);
    expect(mostConcurrent).toBe(1);
    expect(concurrent).toBe(0);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0] ?? "{}")).toMatchObject({ task: "test sweep", msg: "test sweep failed" });
  });
});
