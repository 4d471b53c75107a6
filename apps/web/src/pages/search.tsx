import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { toMinorUnits } from "../components/money.tsx";
import { type Product, ProductGrid } from "../components/product-card.tsx";
import { useRequest } from "../components/use-request.ts";

type Sort = "relevance" | "price_asc" | "price_desc" | "newest";
const sorts: Sort[] = ["relevance", "price_asc", "price_desc", "newest"];

/**
 * Prices are typed, and kept in the address, in major units ("12.50"); the API takes minor units.
 * The shop sells in one currency with cents, so two digits convert them.
 */
const priceCurrency = "EUR";

/**
 * Results follow the typing (after a short pause), and the address keeps the query, the filters
 * and the sort, so that a link reproduces the search.
 */
export function Search() {
  const location = useLocation();
  const categories = useRequest(() => api.GET("/api/categories"), []);
  const [text, setText] = useState(location.query.q ?? "");
  const [min, setMin] = useState(location.query.min ?? "");
  const [max, setMax] = useState(location.query.max ?? "");
  const [typed, setTyped] = useState({ q: text.trim(), min, max });
  const [category, setCategory] = useState(location.query.category ?? "");
  const [sort, setSort] = useState<Sort>(
    sorts.includes(location.query.sort as Sort) ? (location.query.sort as Sort) : "relevance",
  );
  useEffect(() => {
    const timer = setTimeout(() => setTyped({ q: text.trim(), min: min.trim(), max: max.trim() }), 250);
    return () => clearTimeout(timer);
  }, [text, min, max]);
  const query = typed.q;
  const minPrice = toMinorUnits(typed.min, priceCurrency);
  const maxPrice = toMinorUnits(typed.max, priceCurrency);
  useEffect(() => {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    if (category) params.set("category", category);
    if (minPrice !== null) params.set("min", typed.min);
    if (maxPrice !== null) params.set("max", typed.max);
    if (sort !== "relevance") params.set("sort", sort);
    const url = `/search${params.size > 0 ? `?${params}` : ""}`;
    if (url !== location.url) history.replaceState(null, "", url);
  }, [query, category, typed, minPrice, maxPrice, sort, location.url]);
  const page = (cursor?: string) =>
    api.GET("/api/products", {
      params: {
        query: {
          ...(query ? { q: query } : {}),
          ...(category ? { category } : {}),
          ...(minPrice === null ? {} : { minPrice }),
          ...(maxPrice === null ? {} : { maxPrice }),
          ...(cursor ? { cursor } : {}),
          sort,
          limit: 24,
        },
      },
    });
  const results = useRequest(() => page(), [query, category, minPrice, maxPrice, sort]);
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
      </form>
      <form class="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Category
          <select value={category} onChange={(event) => setCategory(event.currentTarget.value)}>
            <option value="">All categories</option>
            {categories.data?.items.map((item) => (
              <option key={item.name} value={item.name}>
                {item.name} ({item.count})
              </option>
            ))}
            {category && !categories.data?.items.some((item) => item.name === category) && (
              <option value={category}>{category}</option>
            )}
          </select>
        </label>
        <label>
          Min price ({priceCurrency})
          <input
            type="number"
            inputMode="decimal"
            min={0}
            step={0.01}
            value={min}
            onInput={(event) => setMin(event.currentTarget.value)}
          />
        </label>
        <label>
          Max price ({priceCurrency})
          <input
            type="number"
            inputMode="decimal"
            min={0}
            step={0.01}
            value={max}
            onInput={(event) => setMax(event.currentTarget.value)}
          />
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(event) => setSort(event.currentTarget.value as Sort)}>
            <option value="relevance">Relevance</option>
            <option value="price_asc">Price, low to high</option>
            <option value="price_desc">Price, high to low</option>
            <option value="newest">Newest</option>
          </select>
        </label>
      </form>
      {results.loading && <Loading what="results" />}
      <ErrorNote message={results.error} />
      {results.data && results.data.items.length === 0 && (
        <Empty>
          {query ? `No products match “${query}” with these filters.` : "No products match these filters."}
        </Empty>
      )}
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
