import { allExternalEventTypes } from "@mercato/contracts";
import { findTextProblems, maxJsonDepth, nestsDeeperThan } from "@mercato/platform";

// PutEvents as Amazon EventBridge defines it: 1 to 10 entries, 256 KiB in all, each entry checked
// on its own and answered in entry order with an EventId or an ErrorCode and ErrorMessage.

export const maxEntries = 10;
/** EventBridge's limit on the entries of one request, counted as entrySize counts them. */
export const maxRequestEntryBytes = 256 * 1024;
const maxSourceLength = 256;
const maxDetailTypeLength = 128;
const maxResources = 100;
const maxResourceLength = 1600;
const maxTraceHeaderLength = 500;
const earliestTime = Date.UTC(1970, 0, 1);
const latestTime = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** How a wire writes `Time`: RFC 3339 text (`POST /api/events`) or epoch seconds (AWS JSON 1.1). */
export type TimeFormat = "rfc3339" | "epoch-seconds";

/** An entry that passed every check: what ingestion publishes as an envelope. */
export interface AcceptedEntry {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time: Date | undefined;
  resources: string[];
}

/** EventBridge's per-entry error codes that Mercato gives. */
export type EntryErrorCode = "InvalidArgument" | "MalformedDetail" | "NotAuthorizedForSourceException";

export type EntryCheck =
  | { ok: true; entry: AcceptedEntry }
  | { ok: false; errorCode: EntryErrorCode; errorMessage: string };

const knownFields = new Set([
  "Source",
  "DetailType",
  "Detail",
  "Time",
  "Resources",
  "EventBusName",
  "TraceHeader",
]);

/**
 * EventBridge's size of an entry: the UTF-8 bytes of Source, DetailType, Detail and each resource,
 * plus 14 for a Time. Fields of the wrong type count nothing: the entry is refused anyway.
 */
export function entrySize(entry: unknown): number {
  if (typeof entry !== "object" || entry === null) return 0;
  const { Source, DetailType, Detail, Time, Resources } = entry as Record<string, unknown>;
  const bytes = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);
  const resources = Array.isArray(Resources)
    ? Resources.reduce((sum: number, item) => sum + bytes(item), 0)
    : 0;
  return bytes(Source) + bytes(DetailType) + bytes(Detail) + (Time === undefined ? 0 : 14) + resources;
}

/** Checks one entry on its own, as EventBridge does, plus the schema of the types Mercato acts on. */
export function checkEntry(entry: unknown, timeFormat: TimeFormat): EntryCheck {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return invalid("An entry must be an object with Source, DetailType and Detail");
  }
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !knownFields.has(key));
  if (unknown !== undefined) return invalid(`Unknown parameter ${unknown} in the entry`);

  const source = requiredText(fields.Source, "Source", maxSourceLength);
  if (typeof source !== "string") return source;
  if (source.startsWith("aws.")) {
    return {
      ok: false,
      errorCode: "NotAuthorizedForSourceException",
      errorMessage: `Not authorized for the source ${source}: sources starting with aws. are AWS's own`,
    };
  }
  const detailType = requiredText(fields.DetailType, "DetailType", maxDetailTypeLength);
  if (typeof detailType !== "string") return detailType;
  const detail = parseDetail(fields.Detail);
  if (!("value" in detail)) return detail;
  const time = parseTime(fields.Time, timeFormat);
  if (time instanceof Error) return invalid(`Parameter Time is not valid. Reason: ${time.message}`);
  const resources = parseResources(fields.Resources);
  if (!Array.isArray(resources)) return resources;
  const bus = fields.EventBusName;
  if (bus !== undefined && bus !== "default") {
    return invalid(
      `Parameter EventBusName is not valid. Reason: Mercato has only the default bus, not ${String(bus)}`,
    );
  }
  const trace = fields.TraceHeader;
  if (trace !== undefined && (typeof trace !== "string" || trace.length > maxTraceHeaderLength)) {
    return invalid(
      `Parameter TraceHeader is not valid. Reason: it must be text of at most ${maxTraceHeaderLength} characters`,
    );
  }
  const schemaProblem = externalSchemaProblem(source, detailType, detail.value);
  if (schemaProblem) return { ok: false, errorCode: "MalformedDetail", errorMessage: schemaProblem };
  return { ok: true, entry: { source, detailType, detail: detail.value, time, resources } };
}

function invalid(errorMessage: string): EntryCheck & { ok: false } {
  return { ok: false, errorCode: "InvalidArgument", errorMessage };
}

function requiredText(value: unknown, name: string, max: number): string | (EntryCheck & { ok: false }) {
  if (value === undefined || value === null) {
    return invalid(`Parameter ${name} is not valid. Reason: ${name} is a required argument.`);
  }
  if (typeof value !== "string")
    return invalid(`Parameter ${name} is not valid. Reason: ${name} must be a string.`);
  if (value.trim().length === 0) return invalid(`Parameter ${name} is not valid. Reason: ${name} is empty.`);
  if (value.length > max) {
    return invalid(`Parameter ${name} is not valid. Reason: ${name} is longer than ${max} characters.`);
  }
  return value;
}

function parseDetail(value: unknown): { value: Record<string, unknown> } | (EntryCheck & { ok: false }) {
  if (value === undefined || value === null) {
    return invalid("Parameter Detail is not valid. Reason: Detail is a required argument.");
  }
  if (typeof value !== "string")
    return invalid("Parameter Detail is not valid. Reason: Detail must be a string of JSON.");
  const malformed = (why: string) => ({
    ok: false as const,
    errorCode: "MalformedDetail" as const,
    errorMessage: `Detail is malformed: ${why}`,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return malformed((error as Error).message);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return malformed("it must be a JSON object");
  }
  if (nestsDeeperThan(parsed, maxJsonDepth))
    return malformed(`it nests more than ${maxJsonDepth} levels deep`);
  const textProblem = findTextProblems(parsed, "Detail")[0];
  if (textProblem) return malformed(`${textProblem.path} ${textProblem.message}`);
  return { value: parsed as Record<string, unknown> };
}

function parseTime(value: unknown, format: TimeFormat): Date | undefined | Error {
  if (value === undefined || value === null) return undefined;
  let time: number;
  if (format === "epoch-seconds") {
    if (typeof value !== "number" || !Number.isFinite(value)) return new Error("Time must be epoch seconds");
    time = value * 1000;
  } else {
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
    if (typeof value !== "string" || !rfc3339.test(value)) {
      return new Error("Time must be an RFC 3339 date-time such as 2024-05-01T12:00:00Z");
    }
    time = Date.parse(value);
  }
  if (!Number.isFinite(time) || time < earliestTime || time > latestTime) {
    return new Error("Time must be a real date between 1970 and 9999");
  }
  return new Date(time);
}

function parseResources(value: unknown): string[] | (EntryCheck & { ok: false }) {
  if (value === undefined || value === null) return [];
  const valid =
    Array.isArray(value) &&
    value.length <= maxResources &&
    value.every((item) => typeof item === "string" && item.length > 0 && item.length <= maxResourceLength);
  if (!valid) {
    return invalid(
      `Parameter Resources is not valid. Reason: Resources must be a list of at most ${maxResources} strings of 1 to ${maxResourceLength} characters.`,
    );
  }
  return value as string[];
}

/** Entries of the types Mercato acts on (api.md, "Events in") must have their detail's shape. */
function externalSchemaProblem(source: string, detailType: string, detail: unknown): string | undefined {
  const type = allExternalEventTypes.find(
    (candidate) => candidate.detailType === detailType && candidate.acceptsSource(source),
  );
  if (!type) return undefined;
  const parsed = type.schema.safeParse(detail);
  if (parsed.success) return undefined;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join(".") || "(detail)"}: ${issue.message}`,
  );
  return `Detail is malformed for ${detailType}: ${problems.join("; ")}`;
}
