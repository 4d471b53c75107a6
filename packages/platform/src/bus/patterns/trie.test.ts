import { describe, expect, it } from "vitest";
import { edgeFor, Trie, type TrieNode } from "./trie.ts";

/** Every item registered under a prefix (or suffix) of `value`, shortest first. */
function walk<T>(trie: Trie<T>, value: string): T[] {
  const found: T[] = [];
  let node: TrieNode<T> = trie.root;
  let depth = 0;
  for (;;) {
    found.push(...(node.items ?? []));
    if (depth >= value.length) return found;
    const edge = edgeFor(node, value.charCodeAt(trie.reversed ? value.length - 1 - depth : depth));
    if (!edge) return found;
    const fits = trie.reversed
      ? value.endsWith(edge.text, value.length - depth)
      : value.startsWith(edge.text, depth);
    if (!fits) return found;
    depth += edge.text.length;
    node = edge.node;
  }
}

describe("radix trie", () => {
  it("finds every registered prefix, splitting edges as keys diverge", () => {
    const trie = new Trie<string>(false);
    for (const key of ["mercato.orders", "mercato.", "", "mercato.order", "marketplace.", "m"])
      trie.add(key, key);
    expect(walk(trie, "mercato.orders.v2")).toEqual(["", "m", "mercato.", "mercato.order", "mercato.orders"]);
    expect(walk(trie, "marketplace.cart")).toEqual(["", "m", "marketplace."]);
    expect(walk(trie, "merc")).toEqual(["", "m"]);
    expect(walk(trie, "x")).toEqual([""]);
  });

  it("finds suffixes when reversed, including surrogate pairs", () => {
    const trie = new Trie<string>(true);
    for (const key of [".png", "image.png", "g", "🚀.png"]) trie.add(key, key);
    expect(walk(trie, "dir/image.png")).toEqual(["g", ".png", "image.png"]);
    expect(walk(trie, "x🚀.png")).toEqual(["g", ".png", "🚀.png"]);
    expect(walk(trie, "image.jpg")).toEqual(["g"]);
  });

  it("keeps several items under one key and removes them one by one", () => {
    const trie = new Trie<number>(false);
    trie.add("ab", 1);
    trie.add("ab", 2);
    trie.add("abc", 3);
    trie.remove("ab", 1);
    expect(walk(trie, "abcd")).toEqual([2, 3]);
    trie.remove("abc", 3);
    expect(walk(trie, "abcd")).toEqual([2]);
    trie.remove("ab", 2);
    expect(trie.empty).toBe(true);
  });

  it("ignores removals of keys or items it does not hold", () => {
    const trie = new Trie<number>(false);
    trie.add("abc", 1);
    trie.remove("ab", 1);
    trie.remove("abd", 1);
    trie.remove("abc", 2);
    expect(walk(trie, "abc")).toEqual([1]);
  });
});
