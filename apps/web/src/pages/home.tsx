import { api } from "../api/client.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { ProductGrid } from "../components/product-card.tsx";
import { useRequest } from "../components/use-request.ts";

export function Home() {
  const categories = useRequest(() => api.GET("/api/categories"), []);
  const products = useRequest(() => api.GET("/api/products", { params: { query: { limit: 12 } } }), []);
  return (
    <>
      <h1>Welcome to Mercato</h1>
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
