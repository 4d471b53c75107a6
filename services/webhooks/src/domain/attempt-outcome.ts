/** What one attempt to deliver an event to a webhook came to, as the delivery log keeps it. */
export interface AttemptOutcome {
  delivered: boolean;
  /** The receiver's status; null when no answer came. */
  responseStatus: number | null;
  /** Why the attempt failed (null when delivered): the status, or the network error. */
  error: string | null;
  durationMs: number;
}

/** Errors are kept this long at most: the delivery log, events and dead letters carry them. */
export const maxErrorLength = 500;

/** A 2xx answer delivers; a redirect is not followed (its target was never checked) and fails. */
export function outcomeOfAnswer(status: number, durationMs: number): AttemptOutcome {
  if (status >= 200 && status <= 299)
    return { delivered: true, responseStatus: status, error: null, durationMs };
  const error =
    status >= 300 && status <= 399 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`;
  return { delivered: false, responseStatus: status, error, durationMs };
}

/** An attempt that got no answer: refused, unreachable, or timed out. */
export function outcomeOfNoAnswer(error: string, durationMs: number): AttemptOutcome {
  return { delivered: false, responseStatus: null, error: error.slice(0, maxErrorLength), durationMs };
}
