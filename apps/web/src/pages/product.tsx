import { useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { useSession } from "../api/session.ts";
import { ErrorNote, Loading } from "../components/feedback.tsx";
import { Price } from "../components/money.tsx";
import { useRequest } from "../components/use-request.ts";

export function ProductPage() {
  const { params } = useRoute();
  const id = params.id ?? "";
  const session = useSession();
  const location = useLocation();
  const product = useRequest(() => api.GET("/api/products/{id}", { params: { path: { id } } }), [id]);
  const [quantity, setQuantity] = useState(1);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function addToCart(event: Event) {
    event.preventDefault();
    if (!session) {
      location.route(`/account?next=${encodeURIComponent(`/products/${id}`)}`);
      return;
    }
    setAdding(true);
    setError(null);
    const answer = await api
      .POST("/api/cart/items", { body: { productId: id, quantity } })
      .catch((failure: unknown) => ({ error: failure }));
    setAdding(false);
    if (answer.error) setError(problemMessage(answer.error));
    else setAdded(true);
  }

  if (product.loading) return <Loading what="the product" />;
  if (!product.data) return <ErrorNote message={product.error} />;
  const item = product.data;
  return (
    <article class="product">
      {item.images[0] ? (
        <img class="hero" src={item.images[0]} alt={item.name} />
      ) : (
        <div class="hero placeholder" aria-hidden="true" />
      )}
      <div>
        <h1>{item.name}</h1>
        <p class="muted">
          {item.category} · SKU {item.sku}
        </p>
        <p class="big">
          <Price money={item.price} />
        </p>
        <p class={item.inStock ? "stock in" : "stock out"}>{item.inStock ? "In stock" : "Out of stock"}</p>
        {item.description && <p>{item.description}</p>}
        <form class="row" onSubmit={addToCart}>
          <label for="quantity">Quantity</label>
          <input
            id="quantity"
            type="number"
            min={1}
            max={99}
            value={quantity}
            onInput={(event) => setQuantity(Number(event.currentTarget.value) || 1)}
          />
          <button type="submit" disabled={!item.inStock || adding}>
            {adding ? "Adding…" : "Add to cart"}
          </button>
        </form>
        {!session && <p class="muted">You will be asked to sign in first.</p>}
        <ErrorNote message={error} />
        {added && (
          <p role="status">
            Added to your cart. <a href="/cart">Go to the cart</a>
          </p>
        )}
      </div>
    </article>
  );
}
