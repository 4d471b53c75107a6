/**
 * The longest a test waits for a condition by default: generous, since a loaded machine is slow,
 * and under the test's own timeout, so that a condition that never comes fails naming what was
 * awaited. Tests wait for conditions, never for a time; benchmarks measure time. The same as
 * vitest.config.ts's expect.poll timeout.
 */
export const conditionTimeoutMs = 60_000;

/** Polls `condition` until it holds; fails with what was awaited if it never does. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = conditionTimeoutMs,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
