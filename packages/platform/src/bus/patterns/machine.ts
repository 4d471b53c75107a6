import { consistent, EventFields, type Trail } from "./event-fields.ts";
import type { CompiledRule } from "./field-condition.ts";
import { type FieldIndex, type Hit, State, Step, type TestEntry } from "./machine-states.ts";
import { foldCase, type Scalar } from "./matchers.ts";
import { edgeFor, type Trie } from "./trie.ts";

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
