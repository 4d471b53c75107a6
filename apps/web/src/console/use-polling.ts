import { useEffect, useState } from "preact/hooks";
import { problemMessage } from "../api/problems.ts";

/** Reads `load` now and every `everyMs` while mounted; the last good answer stays on screen. */
export function usePolling<T>(
  load: () => Promise<{ data?: T; error?: unknown }>,
  everyMs: number,
  keys: unknown[] = [],
): { data: T | undefined; error: string | null; refresh: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function read() {
      const answer = await load().catch((failure: unknown) => ({ data: undefined, error: failure }));
      if (!active) return;
      if (answer.data !== undefined) {
        setData(answer.data);
        setError(null);
      } else setError(problemMessage(answer.error));
      timer = setTimeout(read, everyMs);
    }
    read();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [everyMs, tick, ...keys]);
  return { data, error, refresh: () => setTick((value) => value + 1) };
}
