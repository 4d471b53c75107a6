import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { type Product, ProductGrid } from "../components/product-card.tsx";
import { useRequest } from "../components/use-request.ts";

type Sort = "relevance" | "price_asc" | "price_desc" | "newest";

/** Results follow the typing (after a short pause), and the address keeps the query for sharing. */
export function Search() {
  const location = useLocation();
  const category = location.query.category ?? "";
  const [text, setText] = useState(location.query.q ?? "");
  const [query, setQuery] = useState(text);
  const [sort, setSort] = useState<Sort>("relevance");
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);
  useEffect(() => {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    if (category) params.set("category", category);
    const url = `/search${params.size > 0 ? `?${params}` : ""}`;
    if (url !== location.url) history.replaceState(null, "", url);
  }, [query, category, location.url]);
  const page = (cursor?: string) =>
    api.GET("/api/products", {
      params: {
        query: {
          ...(query ? { q: query } : {}),
          ...(category ? { category } : {}),
          ...(cursor ? { cursor } : {}),
          sort,
          limit: 24,
        },
      },
    });
  const results = useRequest(() => page(), [query, category, sort]);
  // Pages after the first, dropped whenever the first page is asked again.
  const [more, setMore] = useState<{ items: Product[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  useEffect(() => {
    setMore(null);
    setMoreError(null);
  }, [results.data]);
  const items = [...(results.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : results.data?.nextCursor;

  async function loadMore() {
    if (!nextCursor) return;
    const answer = await page(nextCursor).catch((failure: unknown) => ({ data: undefined, error: failure }));
    if (answer.data) {
      const { items: next, nextCursor: after } = answer.data;
      setMore((previous) => ({ items: [...(previous?.items ?? []), ...next], nextCursor: after }));
    } else setMoreError(problemMessage(answer.error));
  }

  return (
    <>
      <h1>Search{category ? ` in ${category}` : ""}</h1>
      <form class="search" onSubmit={(event) => event.preventDefault()}>
        <label for="q">Search products</label>
        <input
          id="q"
          type="search"
          value={text}
          placeholder="Try “hedphones”: typos are forgiven"
          onInput={(event) => setText(event.currentTarget.value)}
        />
        <label for="sort">Sort by</label>
        <select id="sort" value={sort} onChange={(event) => setSort(event.currentTarget.value as Sort)}>
          <option value="relevance">Relevance</option>
          <option value="price_asc">Price, low to high</option>
          <option value="price_desc">Price, high to low</option>
          <option value="newest">Newest</option>
        </select>
      </form>
      {results.loading && <Loading what="results" />}
      <ErrorNote message={results.error} />
      {results.data && results.data.items.length === 0 && <Empty>No products match “{query}”.</Empty>}
      {results.data && <ProductGrid products={items} />}
      <ErrorNote message={moreError} />
      {nextCursor && (
        <button type="button" onClick={loadMore}>
          Show more
        </button>
      )}
    </>
  );
}
