import {
  type AcceptedEntry,
  checkEntry,
  type EntryCheck,
  type EntryErrorCode,
  entrySize,
  maxEntries,
  maxRequestEntryBytes,
  type TimeFormat,
} from "./put-events.ts";

/** Why a whole request is refused: its shape (400), or the size of its entries (413). */
export type RequestProblem = { kind: "shape" | "too-large"; message: string };

/**
 * A PutEvents request body checked as a whole (an object with 1 to 10 Entries, 256 KiB in all),
 * then each entry on its own.
 */
export function checkPutEventsRequest(
  body: unknown,
  timeFormat: TimeFormat,
): { problem: RequestProblem; checks?: undefined } | { problem?: undefined; checks: EntryCheck[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return shape("The body must be a JSON object with Entries");
  }
  const unknown = Object.keys(body).find((key) => key !== "Entries");
  if (unknown !== undefined) return shape(`Unknown parameter ${unknown}: a request has only Entries`);
  const entries = (body as { Entries?: unknown }).Entries;
  if (!Array.isArray(entries)) return shape("Entries must be a list of 1 to 10 entries");
  if (entries.length < 1 || entries.length > maxEntries) {
    return shape(`Entries must hold 1 to ${maxEntries} entries, not ${entries.length}`);
  }
  const size = entries.reduce((sum: number, entry) => sum + entrySize(entry), 0);
  if (size > maxRequestEntryBytes) {
    return {
      problem: {
        kind: "too-large",
        message: `Total size of the entries in the request is over the limit: ${size} bytes, at most ${maxRequestEntryBytes} (256 KiB)`,
      },
    };
  }
  return { checks: entries.map((entry) => checkEntry(entry, timeFormat)) };
}

function shape(message: string): { problem: RequestProblem } {
  return { problem: { kind: "shape", message } };
}

export type ResultEntry = { EventId: string } | { ErrorCode: EntryErrorCode; ErrorMessage: string };

/** The PutEvents answer, in entry order: the id each accepted entry was published under, or its error. */
export function putEventsAnswer(
  checks: EntryCheck[],
  eventIds: readonly string[],
): { FailedEntryCount: number; Entries: ResultEntry[] } {
  let published = 0;
  const entries = checks.map((check): ResultEntry => {
    if (!check.ok) return { ErrorCode: check.errorCode, ErrorMessage: check.errorMessage };
    const id = eventIds[published];
    published += 1;
    if (id === undefined) throw new Error("An accepted entry has no event id");
    return { EventId: id };
  });
  return { FailedEntryCount: checks.filter((check) => !check.ok).length, Entries: entries };
}

/** The entries that passed, in order. */
export function acceptedEntries(checks: EntryCheck[]): AcceptedEntry[] {
  return checks.flatMap((check) => (check.ok ? [check.entry] : []));
}
