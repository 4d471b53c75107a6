import { CidrBlock, parseIp } from "./ip.ts";
import type { Wildcard } from "./wildcard.ts";

/** A JSON leaf value: the only things an event field can be compared with. */
export type Scalar = string | number | boolean | null;

/**
 * One alternative in a field's array. Every kind carries a canonical `key`, so equal conditions
 * written by different rules are recognised and shared. The first four kinds can be looked up
 * by value (hash or trie); `test` kinds are evaluated against each value; `absent` holds when the
 * field has no value at all.
 */
export type Matcher =
  | { readonly kind: "exact"; readonly key: string; readonly value: Scalar }
  | { readonly kind: "equals-ignore-case"; readonly key: string; readonly value: string }
  | {
      readonly kind: "prefix" | "suffix";
      readonly key: string;
      /** Lower-cased when `ignoreCase`. */
      readonly value: string;
      readonly ignoreCase: boolean;
    }
  | { readonly kind: "test"; readonly key: string; readonly test: (value: Scalar) => boolean }
  | { readonly kind: "absent"; readonly key: string };

export const foldCase = (text: string): string => text.toLowerCase();

export function exact(value: Scalar): Matcher {
  return { kind: "exact", key: `=${JSON.stringify(value)}`, value };
}

export function equalsIgnoreCase(value: string): Matcher {
  const folded = foldCase(value);
  return { kind: "equals-ignore-case", key: `eic${JSON.stringify(folded)}`, value: folded };
}

export function affix(kind: "prefix" | "suffix", value: string, ignoreCase: boolean): Matcher {
  const stored = ignoreCase ? foldCase(value) : value;
  return {
    kind,
    key: `${kind}${ignoreCase ? "-ic" : ""}${JSON.stringify(stored)}`,
    value: stored,
    ignoreCase,
  };
}

/**
 * EventBridge compares string values that are IP address literals as addresses, so `"10.0.0.1"`
 * in a pattern also matches `"10.0.00.1"` and IPv6 spellings of one address match each other.
 */
export function exactString(value: string): Matcher {
  const address = parseIp(value);
  if (!address) return exact(value);
  const block = new CidrBlock(address, address.length * 16);
  return {
    kind: "test",
    key: `ip${JSON.stringify(value)}`,
    test: (v) => typeof v === "string" && (v === value || block.contains(v)),
  };
}

export function wildcard(pattern: Wildcard): Matcher {
  return {
    kind: "test",
    key: `wildcard${JSON.stringify(pattern.source)}`,
    test: (v) => typeof v === "string" && pattern.matches(v),
  };
}

export function cidr(block: CidrBlock, text: string): Matcher {
  return {
    kind: "test",
    key: `cidr${JSON.stringify(text)}`,
    test: (v) => typeof v === "string" && block.contains(v),
  };
}

export const existsMatcher: Matcher = { kind: "test", key: "exists", test: () => true };
export const absentMatcher: Matcher = { kind: "absent", key: "absent" };

/** Numeric matching only applies to numbers in this range (EventBridge's documented limit). */
export const NUMERIC_LIMIT = 5e9;

export interface NumericRange {
  readonly lower?: { readonly value: number; readonly inclusive: boolean };
  readonly upper?: { readonly value: number; readonly inclusive: boolean };
}

export function numeric(range: NumericRange): Matcher {
  const { lower, upper } = range;
  const key = `numeric${lower ? (lower.inclusive ? "[" : "(") + lower.value : "(-"},${upper ? upper.value + (upper.inclusive ? "]" : ")") : "+)"}`;
  return {
    kind: "test",
    key,
    test: (v) => {
      if (typeof v !== "number" || v < -NUMERIC_LIMIT || v > NUMERIC_LIMIT) return false;
      if (lower && (lower.inclusive ? v < lower.value : v <= lower.value)) return false;
      if (upper && (upper.inclusive ? v > upper.value : v >= upper.value)) return false;
      return true;
    },
  };
}

/**
 * The anything-but family: a value matches when it is present and is not excluded. Values of
 * another type are never excluded (a number is "anything but" any string).
 */
export function anythingBut(values: readonly (string | number)[]): Matcher {
  const excluded = new Set<Scalar>(values);
  return { kind: "test", key: `not${canonicalList(values)}`, test: (v) => !excluded.has(v) };
}

export function anythingButAffix(kind: "prefix" | "suffix", values: readonly string[]): Matcher {
  const test =
    kind === "prefix"
      ? (v: Scalar) => typeof v !== "string" || !values.some((p) => v.startsWith(p))
      : (v: Scalar) => typeof v !== "string" || !values.some((s) => v.endsWith(s));
  return { kind: "test", key: `not-${kind}${canonicalList(values)}`, test };
}

export function anythingButIgnoreCase(values: readonly string[]): Matcher {
  const excluded = new Set(values.map(foldCase));
  return {
    kind: "test",
    key: `not-eic${canonicalList([...excluded])}`,
    test: (v) => typeof v !== "string" || !excluded.has(foldCase(v)),
  };
}

export function anythingButWildcard(patterns: readonly Wildcard[]): Matcher {
  return {
    kind: "test",
    key: `not-wildcard${canonicalList(patterns.map((p) => p.source))}`,
    test: (v) => typeof v !== "string" || !patterns.some((p) => p.matches(v)),
  };
}

function canonicalList(values: readonly (string | number)[]): string {
  return JSON.stringify([...new Set(values)].sort((a, b) => (String(a) < String(b) ? -1 : 1)));
}
