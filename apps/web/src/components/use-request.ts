import { useEffect, useState } from "preact/hooks";
import { problemMessage } from "../api/problems.ts";

export interface Requested<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
}

/**
 * Runs `load` whenever `keys` change and keeps only the latest answer (a slow earlier search
 * must not overwrite a later one).
 */
export function useRequest<T>(
  load: () => Promise<{ data?: T; error?: unknown }>,
  keys: unknown[],
): Requested<T> {
  const [state, setState] = useState<Requested<T>>({ data: undefined, error: null, loading: true });
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      ({ data, error }) => {
        if (!current) return;
        setState(
          error
            ? { data: undefined, error: problemMessage(error), loading: false }
            : { data, error: null, loading: false },
        );
      },
      (error: unknown) => {
        if (current) setState({ data: undefined, error: problemMessage(error), loading: false });
      },
    );
    return () => {
      current = false;
    };
  }, keys);
  return state;
}
