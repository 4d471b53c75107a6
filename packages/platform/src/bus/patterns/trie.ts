/**
 * A radix trie from prefixes (or, read backwards, suffixes) to the items registered under them.
 * Edges carry whole runs of characters, so walking a value visits every registered prefix of it
 * in a few string comparisons, however many prefixes are registered.
 */
export interface TrieNode<T> {
  /** Edges by their first character (the last one for a reversed trie). */
  edges?: Map<number, TrieEdge<T>>;
  items?: T[];
}

export interface TrieEdge<T> {
  /** The characters this edge consumes, in reading order (reversed for a reversed trie). */
  label: string;
  /** The same characters in their order in the value, for startsWith/endsWith checks. */
  text: string;
  node: TrieNode<T>;
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
      node.edges ??= new Map();
      const edge = node.edges.get(rest.charCodeAt(0));
      if (edge === undefined) {
        const leaf: TrieNode<T> = {};
        node.edges.set(rest.charCodeAt(0), this.#edge(rest, leaf));
        node = leaf;
        break;
      }
      const shared = commonLength(edge.label, rest);
      if (shared < edge.label.length) {
        const tail = this.#edge(edge.label.slice(shared), edge.node);
        const head = this.#edge(edge.label.slice(0, shared), {
          edges: new Map([[tail.label.charCodeAt(0), tail]]),
        });
        node.edges.set(head.label.charCodeAt(0), head);
        node = head.node;
        rest = rest.slice(shared);
        continue;
      }
      node = edge.node;
      rest = rest.slice(shared);
    }
    if (node.items === undefined) node.items = [item];
    else node.items.push(item);
  }

  #readingOrder(key: string): string {
    return this.reversed ? reverse(key) : key;
  }

  #edge(label: string, node: TrieNode<T>): TrieEdge<T> {
    return { label, text: this.reversed ? reverse(label) : label, node };
  }

  remove(key: string, item: T): void {
    const path: [TrieNode<T>, number][] = [];
    let node: TrieNode<T> | undefined = this.root;
    let rest = this.#readingOrder(key);
    while (node && rest.length > 0) {
      const edge: TrieEdge<T> | undefined = node.edges?.get(rest.charCodeAt(0));
      if (!edge || !rest.startsWith(edge.label)) return;
      path.push([node, rest.charCodeAt(0)]);
      node = edge.node;
      rest = rest.slice(edge.label.length);
    }
    if (!node?.items) return;
    node.items = node.items.filter((existing) => existing !== item);
    if (node.items.length === 0) delete node.items;
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, code] = path[i] as [TrieNode<T>, number];
      const child = parent.edges?.get(code)?.node;
      if (!child || child.items || child.edges) break;
      parent.edges?.delete(code);
      if (parent.edges?.size === 0) delete parent.edges;
    }
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
