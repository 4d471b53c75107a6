/**
 * A radix trie from prefixes (or, read backwards, suffixes) to the items registered under them.
 * Edges carry whole runs of characters, so walking a value visits every registered prefix of it
 * in a few string comparisons, however many prefixes are registered.
 */
export interface TrieNode<T> {
  /** Few per node, so a short list scanned by `code` beats a map. */
  edges?: TrieEdge<T>[];
  items?: T[];
}

export interface TrieEdge<T> {
  /** The first character read on this edge. */
  readonly code: number;
  /** The characters this edge consumes, in reading order (reversed for a reversed trie). */
  readonly label: string;
  /** The same characters in their order in the value, for startsWith/endsWith checks. */
  readonly text: string;
  readonly node: TrieNode<T>;
}

export function edgeFor<T>(node: TrieNode<T>, code: number): TrieEdge<T> | undefined {
  const edges = node.edges;
  if (edges === undefined) return undefined;
  for (let i = 0; i < edges.length; i++) {
    const edge = edges[i] as TrieEdge<T>;
    if (edge.code === code) return edge;
  }
  return undefined;
}

export class Trie<T> {
  readonly root: TrieNode<T> = {};
  readonly reversed: boolean;

  constructor(reversed: boolean) {
    this.reversed = reversed;
  }

  get empty(): boolean {
    return this.root.edges === undefined && this.root.items === undefined;
  }

  add(key: string, item: T): void {
    let node = this.root;
    let rest = this.#readingOrder(key);
    while (rest.length > 0) {
      const edge = edgeFor(node, rest.charCodeAt(0));
      if (edge === undefined) {
        const leaf: TrieNode<T> = {};
        node.edges = [...(node.edges ?? []), this.#edge(rest, leaf)];
        node = leaf;
        break;
      }
      const shared = commonLength(edge.label, rest);
      if (shared < edge.label.length) {
        const middle: TrieNode<T> = { edges: [this.#edge(edge.label.slice(shared), edge.node)] };
        node.edges = (node.edges ?? []).map((e) =>
          e === edge ? this.#edge(edge.label.slice(0, shared), middle) : e,
        );
        node = middle;
      } else {
        node = edge.node;
      }
      rest = rest.slice(shared);
    }
    node.items = [...(node.items ?? []), item];
  }

  remove(key: string, item: T): void {
    const path: [TrieNode<T>, TrieEdge<T>][] = [];
    let node = this.root;
    let rest = this.#readingOrder(key);
    while (rest.length > 0) {
      const edge = edgeFor(node, rest.charCodeAt(0));
      if (!edge || !rest.startsWith(edge.label)) return;
      path.push([node, edge]);
      node = edge.node;
      rest = rest.slice(edge.label.length);
    }
    const items = node.items?.filter((existing) => existing !== item) ?? [];
    if (items.length > 0) node.items = items;
    else delete node.items;
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, edge] = path[i] as [TrieNode<T>, TrieEdge<T>];
      if (edge.node.items || edge.node.edges) break;
      const edges = parent.edges?.filter((e) => e !== edge) ?? [];
      if (edges.length > 0) parent.edges = edges;
      else delete parent.edges;
    }
  }

  #readingOrder(key: string): string {
    return this.reversed ? reverse(key) : key;
  }

  #edge(label: string, node: TrieNode<T>): TrieEdge<T> {
    return { code: label.charCodeAt(0), label, text: this.reversed ? reverse(label) : label, node };
  }
}

function reverse(text: string): string {
  return text.split("").reverse().join("");
}

function commonLength(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
