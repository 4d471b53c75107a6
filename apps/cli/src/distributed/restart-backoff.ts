/**
 * How long the supervisor waits before starting a crashed process again: 0.5 s, doubling with each
 * crash in a row up to 30 s, so that a service whose database is away is not restarted in a tight
 * loop. A process that ran a minute before it crashed starts the count afresh.
 */
export const firstDelayMs = 500;
export const longestDelayMs = 30_000;
export const healthyRunMs = 60_000;

export function restartDelayMs(crashesInARow: number): number {
  return Math.min(longestDelayMs, firstDelayMs * 2 ** Math.max(0, crashesInARow - 1));
}

/** The crash count after a process that ran `ranMs` ended. */
export function crashesAfter(previous: number, ranMs: number): number {
  return ranMs >= healthyRunMs ? 1 : previous + 1;
}
