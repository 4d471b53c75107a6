import type { EventFields, Trail } from "./event-fields.ts";
import type { FieldCondition } from "./field-condition.ts";
import type { Matcher, Scalar } from "./matchers.ts";
import { Trie } from "./trie.ts";

/**
 * Most states have one field to look at and end at most one rule, so the first of each is held
 * directly, and the fields a walk reads come first (V8 lays out fields in declaration order): a
 * walk touches few objects and cache lines.
 */
export class State<R> {
  /** For a Step: the last field visit that followed it, and with which array trail. */
  visit = 0;
  trail: Trail | null = null;
  field: FieldIndex<R> | null = null;
  /** A rule whose conjunction ends here. */
  terminal: R | null = null;
  moreFields: FieldIndex<R>[] | null = null;
  moreTerminals: R[] | null = null;

  addTerminal(rule: R): void {
    if (this.terminal === null) this.terminal = rule;
    else this.moreTerminals = [...(this.moreTerminals ?? []), rule];
  }

  #removeTerminal(rule: R): void {
    const rest = [this.terminal, ...(this.moreTerminals ?? [])].filter(
      (r): r is R => r !== null && r !== rule,
    );
    this.terminal = rest[0] ?? null;
    this.moreTerminals = rest.length > 1 ? rest.slice(1) : null;
  }

  #fieldList(): FieldIndex<R>[] {
    return this.field === null ? [] : [this.field, ...(this.moreFields ?? [])];
  }

  #setFields(fields: FieldIndex<R>[]): void {
    this.field = fields[0] ?? null;
    this.moreFields = fields.length > 1 ? fields.slice(1) : null;
  }

  enter(condition: FieldCondition, fields: EventFields): Step<R> {
    const list = this.#fieldList();
    let field = list.find((f) => f.path === condition.path);
    if (field === undefined) {
      field = new FieldIndex<R>(condition.path, fields.slotOf(condition.path));
      this.#setFields([...list, field]);
    }
    return field.enter(condition);
  }

  leave(conjunction: readonly FieldCondition[], depth: number, rule: R): void {
    const condition = conjunction[depth];
    if (condition === undefined) {
      this.#removeTerminal(rule);
      return;
    }
    const list = this.#fieldList();
    const field = list.find((f) => f.path === condition.path);
    const step = field?.steps.get(condition.key);
    if (!field || !step) return;
    step.leave(conjunction, depth + 1, rule);
    if (--step.users === 0) field.drop(step);
    if (field.steps.size === 0) this.#setFields(list.filter((f) => f !== field));
  }
}

/** A distinct condition on one field at one state; also the state reached when it holds. */
export class Step<R> extends State<R> {
  readonly condition: FieldCondition;
  /** Conjunctions passing through. */
  users = 0;

  constructor(condition: FieldCondition) {
    super();
    this.condition = condition;
  }
}

/** Steps registered under one value: usually one, so it is stored without an array. */
export type Hit<R> = Step<R> | Step<R>[];

export interface TestEntry<R> {
  readonly step: Step<R>;
  readonly test: (value: Scalar) => boolean;
}

/** The conditions on one field at one state. Look-up structures exist only once used. */
export class FieldIndex<R> {
  /** Where EventFields keeps this field's values. */
  readonly slot: number;
  exact: Map<Scalar, Hit<R>> | null = null;
  prefixes: Trie<Step<R>> | undefined;
  suffixes: Trie<Step<R>> | undefined;
  tests: TestEntry<R>[] | null = null;
  onAbsent: Step<R>[] | null = null;
  /** How many case-insensitive look-ups are registered, so values are folded only when needed. */
  foldedLookups = 0;
  ignoreCase: Map<string, Hit<R>> | null = null;
  foldedPrefixes: Trie<Step<R>> | undefined;
  foldedSuffixes: Trie<Step<R>> | undefined;
  readonly path: string;
  readonly steps = new Map<string, Step<R>>();

  constructor(path: string, slot: number) {
    this.path = path;
    this.slot = slot;
  }

  enter(condition: FieldCondition): Step<R> {
    let step = this.steps.get(condition.key);
    if (step === undefined) {
      step = new Step<R>(condition);
      this.steps.set(condition.key, step);
      for (const matcher of condition.matchers) this.#index(matcher, step);
    }
    step.users++;
    return step;
  }

  drop(step: Step<R>): void {
    this.steps.delete(step.condition.key);
    for (const matcher of step.condition.matchers) this.#unindex(matcher, step);
  }

  #index(matcher: Matcher, step: Step<R>): void {
    switch (matcher.kind) {
      case "exact":
        this.exact ??= new Map();
        addHit(this.exact, matcher.value, step);
        return;
      case "equals-ignore-case":
        this.ignoreCase ??= new Map();
        addHit(this.ignoreCase, matcher.value, step);
        this.foldedLookups++;
        return;
      case "prefix":
      case "suffix":
        this.#trie(matcher.kind, matcher.ignoreCase, true)?.add(matcher.value, step);
        if (matcher.ignoreCase) this.foldedLookups++;
        return;
      case "test":
        this.tests = [...(this.tests ?? []), { step, test: matcher.test }];
        return;
      case "absent":
        this.onAbsent = [...(this.onAbsent ?? []), step];
    }
  }

  #unindex(matcher: Matcher, step: Step<R>): void {
    switch (matcher.kind) {
      case "exact":
        this.exact = removeHit(this.exact, matcher.value, step);
        return;
      case "equals-ignore-case":
        this.ignoreCase = removeHit(this.ignoreCase, matcher.value, step);
        this.foldedLookups--;
        return;
      case "prefix":
      case "suffix": {
        const trie = this.#trie(matcher.kind, matcher.ignoreCase, false);
        trie?.remove(matcher.value, step);
        if (trie?.empty) this.#setTrie(matcher.kind, matcher.ignoreCase, undefined);
        if (matcher.ignoreCase) this.foldedLookups--;
        return;
      }
      case "test":
        this.tests = nonEmpty(this.tests?.filter((entry) => entry.step !== step));
        return;
      case "absent":
        this.onAbsent = nonEmpty(this.onAbsent?.filter((entry) => entry !== step));
    }
  }

  #trie(kind: "prefix" | "suffix", folded: boolean, create: boolean): Trie<Step<R>> | undefined {
    const existing =
      kind === "prefix"
        ? folded
          ? this.foldedPrefixes
          : this.prefixes
        : folded
          ? this.foldedSuffixes
          : this.suffixes;
    if (existing || !create) return existing;
    const trie = new Trie<Step<R>>(kind === "suffix");
    this.#setTrie(kind, folded, trie);
    return trie;
  }

  #setTrie(kind: "prefix" | "suffix", folded: boolean, trie: Trie<Step<R>> | undefined): void {
    if (kind === "prefix") {
      if (folded) this.foldedPrefixes = trie;
      else this.prefixes = trie;
    } else if (folded) this.foldedSuffixes = trie;
    else this.suffixes = trie;
  }
}

function addHit<K, R>(map: Map<K, Hit<R>>, key: K, step: Step<R>): void {
  const hit = map.get(key);
  if (hit === undefined) map.set(key, step);
  else map.set(key, hit instanceof Step ? [hit, step] : [...hit, step]);
}

/** The map without `step` under `key`; null once the map is empty. */
function removeHit<K, R>(map: Map<K, Hit<R>> | null, key: K, step: Step<R>): Map<K, Hit<R>> | null {
  const hit = map?.get(key);
  const rest = hit instanceof Step ? [hit] : (hit ?? []);
  const kept = rest.filter((existing) => existing !== step);
  if (kept.length === 0) map?.delete(key);
  else map?.set(key, kept.length === 1 ? (kept[0] as Step<R>) : kept);
  return map?.size ? map : null;
}

function nonEmpty<T>(list: T[] | undefined): T[] | null {
  return list?.length ? list : null;
}
