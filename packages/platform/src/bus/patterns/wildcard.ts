/**
 * `wildcard` values: `*` matches any run of characters (including none), `\*` is a literal star and
 * `\\` a literal backslash. Matching splits the pattern into the literal runs between stars, which
 * must occur in order; taking each middle run at its leftmost position is always safe for `*`-only
 * globs, so matching is linear and never backtracks.
 */
export class Wildcard {
  readonly source: string;
  /** Literal runs between stars; one run means no star at all. */
  readonly segments: readonly string[];

  constructor(source: string, segments: readonly string[]) {
    this.source = source;
    this.segments = segments;
  }

  matches(value: string): boolean {
    const segments = this.segments;
    const first = segments[0] ?? "";
    if (segments.length === 1) return value === first;
    const last = segments[segments.length - 1] ?? "";
    const end = value.length - last.length;
    if (end < first.length || !value.startsWith(first) || !value.endsWith(last)) return false;
    let position = first.length;
    for (let i = 1; i < segments.length - 1; i++) {
      const segment = segments[i] ?? "";
      const found = value.indexOf(segment, position);
      if (found === -1 || found + segment.length > end) return false;
      position = found + segment.length;
    }
    return true;
  }
}

export function parseWildcard(text: string): Wildcard | string {
  const segments: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\\") {
      const escaped = text[i + 1];
      if (escaped !== "*" && escaped !== "\\") {
        return `wildcard ${JSON.stringify(text)} has a backslash at position ${i} that does not escape "*" or "\\"`;
      }
      current += escaped;
      i++;
    } else if (char === "*") {
      if (text[i + 1] === "*") {
        return `wildcard ${JSON.stringify(text)} has consecutive "*" characters at position ${i}, which are not allowed`;
      }
      segments.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  segments.push(current);
  const complexity = wildcardComplexity(segments);
  if (complexity > MAX_WILDCARD_COMPLEXITY) {
    return (
      `wildcard ${JSON.stringify(text)} is too complex (an input can keep ${complexity} partial matches alive; ` +
      `the limit is ${MAX_WILDCARD_COMPLEXITY}): use fewer "*" characters or fewer repeated character runs after a "*"`
    );
  }
  return new Wildcard(text, segments);
}

/**
 * EventBridge refuses wildcard patterns that are too non-deterministic: those for which some input
 * keeps many partial matches alive at once (many stars, or repeated character runs after a star).
 * The measure is, over every possible input, the most pattern positions simultaneously live in the
 * pattern's automaton.
 */
const MAX_WILDCARD_COMPLEXITY = 10;

const STAR = -1;
const END = -2;
const OTHER_CHAR = -3;
/** Beyond this many distinct automaton states the pattern set is too complex anyway. */
const MAX_EXPLORED_STATES = 20_000;

function wildcardComplexity(segments: readonly string[]): number {
  if (segments.length === 1) return 1;
  const tokens: number[] = [];
  const alphabet = new Set<number>([OTHER_CHAR]);
  segments.forEach((segment, index) => {
    if (index > 0) tokens.push(STAR);
    for (let i = 0; i < segment.length; i++) {
      const code = segment.charCodeAt(i);
      tokens.push(code);
      alphabet.add(code);
    }
  });
  tokens.push(END);

  const close = (positions: Iterable<number>): number[] => {
    const live = new Set<number>();
    for (const position of positions) {
      live.add(position);
      if (tokens[position] === STAR) live.add(position + 1);
    }
    return [...live].sort((a, b) => a - b);
  };
  const liveCount = (state: readonly number[]) => state.filter((p) => tokens[p] !== END).length;

  const initial = close([0]);
  const seen = new Set<string>([initial.join(",")]);
  const pending = [initial];
  let worst = liveCount(initial);
  while (pending.length > 0) {
    const state = pending.pop() ?? [];
    for (const char of alphabet) {
      const next: number[] = [];
      for (const position of state) {
        const token = tokens[position];
        if (token === STAR) next.push(position);
        else if (token === char) next.push(position + 1);
      }
      if (next.length === 0) continue;
      const closed = close(next);
      const key = closed.join(",");
      if (seen.has(key)) continue;
      if (seen.size >= MAX_EXPLORED_STATES) return Number.POSITIVE_INFINITY;
      seen.add(key);
      worst = Math.max(worst, liveCount(closed));
      if (worst > MAX_WILDCARD_COMPLEXITY) return worst;
      pending.push(closed);
    }
  }
  return worst;
}
