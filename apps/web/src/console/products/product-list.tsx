import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client.ts";
import { Empty, ErrorNote, Loading } from "../../components/feedback.tsx";
import { Price } from "../../components/money.tsx";
import { useRequest } from "../../components/use-request.ts";
import { PageButtons } from "../page-buttons.tsx";
import { Scroll } from "../scroll.tsx";
import { NewProduct } from "./product-form.tsx";

/** Search the catalogue, page through it, and add a product. */
export function Products() {
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(typed.trim());
      setCursors([undefined]);
    }, 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const cursor = cursors.at(-1);
  const products = useRequest(
    () =>
      api.GET("/api/products", {
        params: { query: { limit: 20, cursor, ...(q ? { q } : { sort: "newest" as const }) } },
      }),
    [q, cursor],
  );
  return (
    <>
      <h1>Products</h1>
      <NewProduct />
      <h2>Catalogue</h2>
      <form class="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search products{" "}
          <input type="search" value={typed} onInput={(event) => setTyped(event.currentTarget.value)} />
        </label>
      </form>
      <p class="muted">New products show here once the search index has them, within a few seconds.</p>
      <ErrorNote message={products.error} />
      {products.loading && !products.data && <Loading what="products" />}
      {products.data && products.data.items.length === 0 && <Empty>No products match.</Empty>}
      {products.data && products.data.items.length > 0 && (
        <Scroll label="Products">
          <table>
            <caption class="visually-hidden">Products</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">SKU</th>
                <th scope="col">Category</th>
                <th scope="col">Price</th>
                <th scope="col">Stock</th>
              </tr>
            </thead>
            <tbody>
              {products.data.items.map((product) => (
                <tr key={product.id}>
                  <th scope="row">
                    <a href={`/console/products/${product.id}`}>{product.name}</a>
                  </th>
                  <td>{product.sku}</td>
                  <td>{product.category}</td>
                  <td>
                    <Price money={product.price} />
                  </td>
                  <td>{product.inStock ? "In stock" : "Out of stock"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <PageButtons cursors={cursors} nextCursor={products.data?.nextCursor} onChange={setCursors} />
    </>
  );
}
