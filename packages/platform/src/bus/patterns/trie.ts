/**
 * A character trie from prefixes (or, read backwards, suffixes) to the items registered under
 * them. Walking a value visits every registered prefix of it in O(value length), however many
 * prefixes are registered.
 */
export interface TrieNode<T> {
  children?: Map<number, TrieNode<T>>;
  items?: T[];
}

export class Trie<T> {
  readonly root: TrieNode<T> = {};
  readonly #reversed: boolean;

  constructor(reversed: boolean) {
    this.#reversed = reversed;
  }

  get reversed(): boolean {
    return this.#reversed;
  }

  get empty(): boolean {
    return this.root.children === undefined && this.root.items === undefined;
  }

  add(key: string, item: T): void {
    let node = this.root;
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(this.#reversed ? key.length - 1 - i : i);
      node.children ??= new Map();
      let child = node.children.get(code);
      if (child === undefined) {
        child = {};
        node.children.set(code, child);
      }
      node = child;
    }
    if (node.items === undefined) node.items = [item];
    else node.items.push(item);
  }

  remove(key: string, item: T): void {
    const path: [TrieNode<T>, number][] = [];
    let node: TrieNode<T> | undefined = this.root;
    for (let i = 0; i < key.length && node; i++) {
      const code = key.charCodeAt(this.#reversed ? key.length - 1 - i : i);
      path.push([node, code]);
      node = node.children?.get(code);
    }
    if (!node?.items) return;
    node.items = node.items.filter((existing) => existing !== item);
    if (node.items.length === 0) delete node.items;
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, code] = path[i] as [TrieNode<T>, number];
      const child = parent.children?.get(code);
      if (!child || child.items || child.children) break;
      parent.children?.delete(code);
      if (parent.children?.size === 0) delete parent.children;
    }
  }
}
