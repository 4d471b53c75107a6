/** Checks of an operator's argument that several operators share; each throws InvalidPatternError. */
import { childPath, describeType, fail } from "./errors.ts";
import { NUMERIC_LIMIT } from "./matchers.ts";
import { parseWildcard, type Wildcard } from "./wildcard.ts";

export function requireString(value: unknown, at: string, operator: string): string {
  if (typeof value !== "string") fail(at, `${operator} takes a string, found ${describeType(value)}`);
  return value;
}

export function stringOrStrings(value: unknown, at: string, what: string): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) {
    if (value.length === 0) fail(at, `${what} does not accept an empty list`);
    value.forEach((v, i) => {
      if (typeof v !== "string")
        fail(childPath(at, i), `${what} takes only strings, found ${describeType(v)}`);
    });
    return value as string[];
  }
  return fail(at, `${what} takes a string or a list of strings, found ${describeType(value)}`);
}

export function compileWildcard(text: string, at: string): Wildcard {
  const parsed = parseWildcard(text);
  if (typeof parsed === "string") fail(at, parsed);
  return parsed;
}

/** EventBridge compares numbers between -5e9 and 5e9 with six decimal places. */
export function checkNumericOperand(value: number, at: string): number {
  if (!Number.isFinite(value) || value < -NUMERIC_LIMIT || value > NUMERIC_LIMIT) {
    fail(at, `numeric values must be between -5e9 and 5e9 inclusive, found ${value}`);
  }
  const text = String(Math.abs(value));
  const decimals = text.includes("e") ? Number.POSITIVE_INFINITY : (text.split(".")[1]?.length ?? 0);
  if (decimals > 6) fail(at, `numeric values may have at most 6 decimal places, found ${value}`);
  return value;
}
