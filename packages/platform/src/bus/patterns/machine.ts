import type { CompiledRule, FieldCondition } from "./compile.ts";
import { consistent, type FlatEvent, flattenEvent, type Leaf, type Trail } from "./flatten.ts";
import { foldCase, type Matcher, type Scalar } from "./matchers.ts";
import { Trie } from "./trie.ts";

/** What the machine needs of a rule: a match-call stamp (dedupes results) and a stable order. */
export interface MachineRule {
  stamp: number;
  readonly order: number;
}

/**
 * Compiled rules in the spirit of aws/event-ruler: a tree whose steps are field conditions.
 * Each rule's conjunctions are ordered by (rank, path), so rules that share leading conditions
 * (the same `source`, then the same `detail-type`, ...) share a path of states. At a state, the
 * conditions on one field are indexed by value: exact values and equals-ignore-case in hash maps,
 * prefixes and suffixes in tries; only the conditions that cannot be indexed (numeric ranges,
 * anything-but, wildcard, cidr, exists) are tested against each value. Matching an event
 * therefore walks only the states its values lead to, and its cost follows the number of
 * conditions the event satisfies rather than the number of rules.
 */
export class PatternMachine<R extends MachineRule> {
  readonly #root = new State<R>();
  /** Paths (and their dot-boundary prefixes) that some rule reads, with how many rules read them. */
  readonly #wanted = new Map<string, number>();
  #stamp = 0;
  #visit = 0;
  #flat: FlatEvent = new Map();
  #found: R[] = [];

  add(rule: R, compiled: CompiledRule): void {
    for (const conjunction of compiled.conjunctions) {
      let state = this.#root;
      for (const condition of conjunction) state = state.enter(condition);
      state.terminals.push(rule);
    }
    for (const path of compiled.paths) {
      for (const prefix of prefixesOf(path)) this.#wanted.set(prefix, (this.#wanted.get(prefix) ?? 0) + 1);
    }
  }

  remove(rule: R, compiled: CompiledRule): void {
    for (const conjunction of compiled.conjunctions) this.#root.leave(conjunction, 0, rule);
    for (const path of compiled.paths) {
      for (const prefix of prefixesOf(path)) {
        const count = (this.#wanted.get(prefix) ?? 0) - 1;
        if (count > 0) this.#wanted.set(prefix, count);
        else this.#wanted.delete(prefix);
      }
    }
  }

  /** The rules the event matches, each once, in the order they were added. */
  match(event: unknown): R[] {
    this.#stamp++;
    this.#flat = flattenEvent(event, this.#wanted);
    const found: R[] = [];
    this.#found = found;
    this.#visitState(this.#root, null);
    this.#flat = new Map();
    this.#found = [];
    if (found.length > 1) found.sort((a, b) => a.order - b.order);
    return found;
  }

  #visitState(state: State<R>, chosen: TrailChain | null): void {
    const terminals = state.terminals;
    for (let i = 0; i < terminals.length; i++) {
      const rule = terminals[i] as R;
      if (rule.stamp !== this.#stamp) {
        rule.stamp = this.#stamp;
        this.#found.push(rule);
      }
    }
    const fields = state.fields;
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f] as FieldIndex<R>;
      const leaves = this.#flat.get(field.path);
      if (leaves === undefined) {
        for (const step of field.onAbsent) this.#visitState(step.next, chosen);
        continue;
      }
      const visit = ++this.#visit;
      for (let l = 0; l < leaves.length; l++) {
        const leaf = leaves[l] as Leaf;
        if (leaf.trail === null || chosen === null || fitsChain(leaf.trail, chosen)) {
          this.#visitLeaf(field, leaf, visit, chosen);
        }
      }
    }
  }

  #visitLeaf(field: FieldIndex<R>, leaf: Leaf, visit: number, chosen: TrailChain | null): void {
    const value = leaf.value;
    const exact = field.exact.get(value);
    if (exact !== undefined) for (const step of exact) this.#follow(step, leaf, visit, chosen);
    if (typeof value === "string") {
      if (field.prefixes) this.#walkTrie(field.prefixes, value, leaf, visit, chosen);
      if (field.suffixes) this.#walkTrie(field.suffixes, value, leaf, visit, chosen);
      if (field.foldedLookups > 0) {
        const folded = foldCase(value);
        const ignoringCase = field.ignoreCase.get(folded);
        if (ignoringCase !== undefined)
          for (const step of ignoringCase) this.#follow(step, leaf, visit, chosen);
        if (field.foldedPrefixes) this.#walkTrie(field.foldedPrefixes, folded, leaf, visit, chosen);
        if (field.foldedSuffixes) this.#walkTrie(field.foldedSuffixes, folded, leaf, visit, chosen);
      }
    }
    const tests = field.tests;
    for (let i = 0; i < tests.length; i++) {
      const test = tests[i] as TestEntry<R>;
      if (test.test(value)) this.#follow(test.step, leaf, visit, chosen);
    }
  }

  #walkTrie(trie: Trie<Step<R>>, value: string, leaf: Leaf, visit: number, chosen: TrailChain | null): void {
    let node = trie.root;
    const last = value.length - 1;
    for (let i = 0; ; i++) {
      if (node.items !== undefined) for (const step of node.items) this.#follow(step, leaf, visit, chosen);
      if (i > last || node.children === undefined) return;
      const next = node.children.get(value.charCodeAt(trie.reversed ? last - i : i));
      if (next === undefined) return;
      node = next;
    }
  }

  /**
   * Several values of one field can satisfy the same condition; the states beyond it are visited
   * once for values outside arrays, and again only for values whose array position differs.
   */
  #follow(step: Step<R>, leaf: Leaf, visit: number, chosen: TrailChain | null): void {
    const trail = leaf.trail;
    if (step.visit === visit && (step.trail === null || step.trail === trail)) return;
    step.visit = visit;
    step.trail = trail;
    this.#visitState(step.next, trail === null ? chosen : { trail, rest: chosen });
  }
}

interface TrailChain {
  readonly trail: Trail;
  readonly rest: TrailChain | null;
}

function fitsChain(trail: Trail, chain: TrailChain): boolean {
  for (let link: TrailChain | null = chain; link !== null; link = link.rest) {
    if (!consistent(trail, link.trail)) return false;
  }
  return true;
}

function prefixesOf(path: string): string[] {
  const prefixes: string[] = [];
  for (let dot = path.indexOf("."); dot !== -1; dot = path.indexOf(".", dot + 1))
    prefixes.push(path.slice(0, dot));
  prefixes.push(path);
  return prefixes;
}

class State<R> {
  readonly fields: FieldIndex<R>[] = [];
  readonly terminals: R[] = [];

  enter(condition: FieldCondition): State<R> {
    let field = this.fields.find((f) => f.path === condition.path);
    if (field === undefined) {
      field = new FieldIndex<R>(condition.path);
      this.fields.push(field);
    }
    return field.enter(condition);
  }

  leave(conjunction: readonly FieldCondition[], depth: number, rule: R): void {
    const condition = conjunction[depth];
    if (condition === undefined) {
      const at = this.terminals.indexOf(rule);
      if (at !== -1) this.terminals.splice(at, 1);
      return;
    }
    const index = this.fields.findIndex((f) => f.path === condition.path);
    const field = this.fields[index];
    const step = field?.steps.get(condition.key);
    if (!field || !step) return;
    step.next.leave(conjunction, depth + 1, rule);
    if (--step.users === 0) field.drop(step);
    if (field.steps.size === 0) this.fields.splice(index, 1);
  }
}

/** A distinct condition on one field at one state, and the state reached when it holds. */
interface Step<R> {
  readonly condition: FieldCondition;
  readonly next: State<R>;
  users: number;
  /** The last field visit that followed this step, and with which array trail. */
  visit: number;
  trail: Trail | null;
}

interface TestEntry<R> {
  readonly step: Step<R>;
  readonly test: (value: Scalar) => boolean;
}

class FieldIndex<R> {
  readonly path: string;
  readonly steps = new Map<string, Step<R>>();
  readonly exact = new Map<Scalar, Step<R>[]>();
  readonly ignoreCase = new Map<string, Step<R>[]>();
  prefixes: Trie<Step<R>> | undefined;
  suffixes: Trie<Step<R>> | undefined;
  foldedPrefixes: Trie<Step<R>> | undefined;
  foldedSuffixes: Trie<Step<R>> | undefined;
  tests: TestEntry<R>[] = [];
  onAbsent: Step<R>[] = [];
  /** How many case-insensitive look-ups are registered, so values are folded only when needed. */
  foldedLookups = 0;

  constructor(path: string) {
    this.path = path;
  }

  enter(condition: FieldCondition): State<R> {
    let step = this.steps.get(condition.key);
    if (step === undefined) {
      step = { condition, next: new State<R>(), users: 0, visit: 0, trail: null };
      this.steps.set(condition.key, step);
      for (const matcher of condition.matchers) this.#index(matcher, step);
    }
    step.users++;
    return step.next;
  }

  drop(step: Step<R>): void {
    this.steps.delete(step.condition.key);
    for (const matcher of step.condition.matchers) this.#unindex(matcher, step);
  }

  #index(matcher: Matcher, step: Step<R>): void {
    switch (matcher.kind) {
      case "exact":
        addTo(this.exact, matcher.value, step);
        return;
      case "equals-ignore-case":
        addTo(this.ignoreCase, matcher.value, step);
        this.foldedLookups++;
        return;
      case "prefix":
      case "suffix":
        this.#trie(matcher.kind, matcher.ignoreCase, true)?.add(matcher.value, step);
        if (matcher.ignoreCase) this.foldedLookups++;
        return;
      case "test":
        this.tests = [...this.tests, { step, test: matcher.test }];
        return;
      case "absent":
        this.onAbsent = [...this.onAbsent, step];
    }
  }

  #unindex(matcher: Matcher, step: Step<R>): void {
    switch (matcher.kind) {
      case "exact":
        removeFrom(this.exact, matcher.value, step);
        return;
      case "equals-ignore-case":
        removeFrom(this.ignoreCase, matcher.value, step);
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
        this.tests = this.tests.filter((entry) => entry.step !== step);
        return;
      case "absent":
        this.onAbsent = this.onAbsent.filter((entry) => entry !== step);
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

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function removeFrom<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)?.filter((existing) => existing !== value);
  if (list === undefined || list.length === 0) map.delete(key);
  else map.set(key, list);
}
