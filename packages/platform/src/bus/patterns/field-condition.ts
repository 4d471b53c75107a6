import type { Matcher } from "./matchers.ts";

/** The alternatives one field accepts (any may match), under its dot-joined path. */
export interface FieldCondition {
  readonly path: string;
  readonly matchers: readonly Matcher[];
  /** Equal keys mean equal conditions, whatever order the alternatives were written in. */
  readonly key: string;
  /**
   * How the condition is looked up: 0 by value (hash or trie), 1 by testing each value, 2 it can
   * also hold when the field is absent.
   */
  readonly rank: number;
  /** The path's number of segments: envelope fields (`source`) are shallower than detail fields. */
  readonly depth: number;
}

/**
 * Every condition must hold. Conditions are ordered by (rank, depth, path): value look-ups first,
 * and shallow envelope fields such as `source` and `detail-type` before detail fields, so that
 * rules share their common leading steps.
 */
export type Conjunction = readonly FieldCondition[];

export interface CompiledRule {
  /** The pattern in disjunctive normal form: `$or` and value lists expanded. */
  readonly conjunctions: readonly Conjunction[];
}

export function makeCondition(path: string, matchers: readonly Matcher[]): FieldCondition {
  const kinds = new Set(matchers.map((m) => m.kind));
  const rank = kinds.has("absent") ? 2 : kinds.has("test") ? 1 : 0;
  const key = JSON.stringify(matchers.map((m) => m.key).sort());
  return { path, matchers, key, rank, depth: path.split(".").length };
}

/** The order of a Conjunction's conditions. */
export function compareConditions(a: FieldCondition, b: FieldCondition): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.depth !== b.depth) return a.depth - b.depth;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
