import { problemMessage } from "../api/problems.ts";

export type Sent<T> = { ok: true; data: T } | { ok: false; message: string; status: number | null };

/**
 * Awaits an API call and answers either its data or a sentence to show. Success is read from the
 * status rather than the data, since a 204 (a delete) carries none.
 */
export async function send<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Sent<T>> {
  try {
    const answer = await request;
    if (answer.response.ok) return { ok: true, data: answer.data as T };
    return { ok: false, message: problemMessage(answer.error), status: answer.response.status };
  } catch (failure) {
    return { ok: false, message: problemMessage(failure), status: null };
  }
}

/** "PaymentAuthorized" → "Payment authorized": event types as words. */
export function words(type: string): string {
  const spaced = type.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
