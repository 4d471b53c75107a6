import type { Logger } from "../log.ts";

export interface PeriodicTask {
  /** Stops the timer and waits for a run under way. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`, one run at a time (a slow run skips ticks rather than piling
 * up). A failed run is logged and tried again at the next tick. The timer does not keep the
 * process alive.
 */
export function startPeriodicTask(
  options: { name: string; intervalMs: number; logger: Logger; runAtStart?: boolean | undefined },
  task: () => Promise<void>,
): PeriodicTask {
  let running: Promise<void> | undefined;
  const run = async () => {
    try {
      await task();
    } catch (error) {
      options.logger.error({ err: error, task: options.name }, `${options.name} failed`);
    } finally {
      running = undefined;
    }
  };
  const timer = setInterval(() => {
    running ??= run();
  }, options.intervalMs);
  timer.unref();
  if (options.runAtStart) running = run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
