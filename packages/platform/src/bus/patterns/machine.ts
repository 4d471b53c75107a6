import type { CompiledRule, FieldCondition } from "./compile.ts";
import { consistent, EventFields, type Trail } from "./event-fields.ts";
import { foldCase, type Matcher, type Scalar } from "./matchers.ts";
import { edgeFor, Trie } from "./trie.ts";

/** What the machine needs of a rule: a match-call stamp (dedupes results) and a stable order. */
export interface MachineRule {
  stamp: number;
  readonly order: number;
}

/**
 * Compiled rules in the spirit of aws/event-ruler: a tree whose edges are field conditions.
 * Conjunctions are ordered (see Conjunction), so rules that share leading conditions (the same
 * `detail-type`, then the same `source`, ...) share a path of states. At a state, the conditions
 * on one field are indexed by value: exact values and equals-ignore-case in hash maps, prefixes
 * and suffixes in tries; only conditions that cannot be indexed (numeric ranges, anything-but,
 * wildcard, cidr, exists) are tested against each value. Matching an event walks only the states
 * its values lead to, so its cost follows the conditions the event satisfies, not the rule count.
 */
export class PatternMachine<R extends MachineRule> {
  readonly #fields = new EventFields();
  readonly #root = new State<R>();
  #stamp = 0;
  #visit = 0;
  #found: R[] = [];

  add(rule: R, compiled: CompiledRule): void {
    for (const conjunction of compiled.conjunctions) {
      let state = this.#root;
      for (const condition of conjunction) state = state.enter(condition, this.#fields);
      state.addTerminal(rule);
    }
  }

  remove(rule: R, compiled: CompiledRule): void {
    for (const conjunction of compiled.conjunctions) this.#root.leave(conjunction, 0, rule);
  }

  /** The rules the event matches, each once, in the order they were added. */
  match(event: unknown): R[] {
    this.#stamp++;
    this.#fields.reset(event);
    const found: R[] = [];
    this.#found = found;
    this.#visitState(this.#root, null);
    this.#fields.clear();
    this.#found = [];
    // Few rules match any one event: an insertion sort beats Array.prototype.sort here.
    for (let i = 1; i < found.length; i++) {
      const rule = found[i] as R;
      let j = i - 1;
      for (; j >= 0 && (found[j] as R).order > rule.order; j--) found[j + 1] = found[j] as R;
      found[j + 1] = rule;
    }
    return found;
  }

  #visitState(state: State<R>, chosen: TrailChain | null): void {
    if (state.terminal !== null) this.#report(state.terminal);
    const terminals = state.moreTerminals;
    if (terminals !== null) for (let i = 0; i < terminals.length; i++) this.#report(terminals[i] as R);
    if (state.field !== null) this.#visitField(state.field, chosen);
    const fields = state.moreFields;
    if (fields !== null)
      for (let f = 0; f < fields.length; f++) this.#visitField(fields[f] as FieldIndex<R>, chosen);
  }

  #report(rule: R): void {
    if (rule.stamp !== this.#stamp) {
      rule.stamp = this.#stamp;
      this.#found.push(rule);
    }
  }

  #visitField(field: FieldIndex<R>, chosen: TrailChain | null): void {
    const found = this.#fields.read(field.slot);
    const count = found.count;
    if (count === 0) {
      const onAbsent = field.onAbsent;
      if (onAbsent !== null)
        for (let i = 0; i < onAbsent.length; i++) this.#visitState(onAbsent[i] as Step<R>, chosen);
      return;
    }
    const visit = ++this.#visit;
    for (let v = 0; v < count; v++) {
      const trail = found.trails[v] as Trail | null;
      if (trail === null || chosen === null || fitsChain(trail, chosen)) {
        this.#visitValue(field, found.values[v] as Scalar, trail, visit, chosen);
      }
    }
  }

  #visitValue(
    field: FieldIndex<R>,
    value: Scalar,
    trail: Trail | null,
    visit: number,
    chosen: TrailChain | null,
  ): void {
    if (field.exact !== null) {
      const hit = field.exact.get(value);
      if (hit !== undefined) this.#followAll(hit, trail, visit, chosen);
    }
    if (typeof value === "string") {
      if (field.prefixes) this.#walkTrie(field.prefixes, value, trail, visit, chosen);
      if (field.suffixes) this.#walkTrie(field.suffixes, value, trail, visit, chosen);
      if (field.foldedLookups > 0) {
        const folded = foldCase(value);
        const hit = field.ignoreCase?.get(folded);
        if (hit !== undefined) this.#followAll(hit, trail, visit, chosen);
        if (field.foldedPrefixes) this.#walkTrie(field.foldedPrefixes, folded, trail, visit, chosen);
        if (field.foldedSuffixes) this.#walkTrie(field.foldedSuffixes, folded, trail, visit, chosen);
      }
    }
    const tests = field.tests;
    if (tests === null) return;
    for (let i = 0; i < tests.length; i++) {
      const test = tests[i] as TestEntry<R>;
      if (test.test(value)) this.#follow(test.step, trail, visit, chosen);
    }
  }

  #walkTrie(
    trie: Trie<Step<R>>,
    value: string,
    trail: Trail | null,
    visit: number,
    chosen: TrailChain | null,
  ): void {
    const length = value.length;
    const reversed = trie.reversed;
    let node = trie.root;
    let depth = 0;
    for (;;) {
      if (node.items !== undefined) this.#followAll(node.items, trail, visit, chosen);
      if (depth >= length) return;
      const edge = edgeFor(node, value.charCodeAt(reversed ? length - 1 - depth : depth));
      if (edge === undefined) return;
      if (reversed ? !value.endsWith(edge.text, length - depth) : !value.startsWith(edge.text, depth)) return;
      depth += edge.text.length;
      node = edge.node;
    }
  }

  #followAll(hit: Hit<R>, trail: Trail | null, visit: number, chosen: TrailChain | null): void {
    if (hit instanceof Step) {
      this.#follow(hit, trail, visit, chosen);
      return;
    }
    for (let i = 0; i < hit.length; i++) this.#follow(hit[i] as Step<R>, trail, visit, chosen);
  }

  /**
   * Several values of one field can satisfy the same condition; the states beyond it are visited
   * once for values outside arrays, and again only for values whose array position differs.
   */
  #follow(step: Step<R>, trail: Trail | null, visit: number, chosen: TrailChain | null): void {
    if (step.visit === visit && (step.trail === null || step.trail === trail)) return;
    step.visit = visit;
    step.trail = trail;
    this.#visitState(step, trail === null ? chosen : { trail, rest: chosen });
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

/**
 * Most states have one field to look at and end at most one rule, so the first of each is held
 * directly, and the fields a walk reads come first (V8 lays out fields in declaration order): a
 * walk touches few objects and cache lines.
 */
class State<R> {
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
class Step<R> extends State<R> {
  readonly condition: FieldCondition;
  /** Conjunctions passing through. */
  users = 0;

  constructor(condition: FieldCondition) {
    super();
    this.condition = condition;
  }
}

/** Steps registered under one value: usually one, so it is stored without an array. */
type Hit<R> = Step<R> | Step<R>[];

interface TestEntry<R> {
  readonly step: Step<R>;
  readonly test: (value: Scalar) => boolean;
}

/** The conditions on one field at one state. Look-up structures exist only once used. */
class FieldIndex<R> {
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
