import { api } from "../api/client.ts";
import { useSession } from "../api/session.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { ProductGrid } from "../components/product-card.tsx";
import { RecommendationGrid } from "../components/recommendations.tsx";
import { useRequest } from "../components/use-request.ts";

export function Home() {
  const session = useSession();
  const userId = session?.user.id;
  const categories = useRequest(() => api.GET("/api/categories"), []);
  const products = useRequest(() => api.GET("/api/products", { params: { query: { limit: 12 } } }), []);
  // Signed in: learnt from the user's own views, cart and orders; otherwise what is popular.
  const recommended = useRequest(
    () =>
      userId
        ? api.GET("/api/recommendations/for-me", { params: { query: { limit: 8 } } })
        : api.GET("/api/recommendations", { params: { query: { limit: 8 } } }),
    [userId],
  );
  const recommendedTitle = userId ? "Recommended for you" : "Popular right now";
  return (
    <>
      <h1>Welcome to Mercato</h1>
      <div class="beside">
        <section aria-labelledby="categories">
          <h2 id="categories">Categories</h2>
          {categories.loading && <Loading what="categories" />}
          <ErrorNote message={categories.error} />
          {categories.data && categories.data.items.length === 0 && <Empty>No categories yet.</Empty>}
          <ul class="chips">
            {categories.data?.items.map((category) => (
              <li key={category.name}>
                <a href={`/search?category=${encodeURIComponent(category.name)}`}>
                  {category.name} <span class="muted">({category.count})</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="recommended">
          <h2 id="recommended">{recommendedTitle}</h2>
          {recommended.loading && <Loading what="recommendations" />}
          <ErrorNote message={recommended.error} />
          {recommended.data && recommended.data.items.length === 0 && (
            <Empty>Nothing to recommend yet: look around, and suggestions follow.</Empty>
          )}
          {recommended.data && recommended.data.items.length > 0 && (
            <RecommendationGrid items={recommended.data.items} label={recommendedTitle} />
          )}
        </section>
      </div>
      <section aria-labelledby="products">
        <h2 id="products">Products</h2>
        {products.loading && <Loading what="products" />}
        <ErrorNote message={products.error} />
        {products.data && products.data.items.length === 0 && <Empty>The catalog is empty.</Empty>}
        {products.data && <ProductGrid products={products.data.items} />}
      </section>
    </>
  );
}
