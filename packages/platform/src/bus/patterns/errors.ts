/**
 * Thrown when an event pattern is not valid EventBridge syntax. `path` is a JSONPath into the pattern
 * (`$.detail.state[0]`) and `reason` says what is wrong there; the message carries both.
 */
export class InvalidPatternError extends Error {
  override readonly name = "InvalidPatternError";
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`Invalid event pattern at ${path}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

/** Throws InvalidPatternError for the pattern at `at` (a JSONPath). */
export function fail(at: string, reason: string): never {
  throw new InvalidPatternError(at, reason);
}

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Names a JSON value's type the way a pattern author thinks of it. */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}
