import { useEffect, useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { currentSession, useSession } from "../api/session.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { Price } from "../components/money.tsx";
import type { Product } from "../components/product-card.tsx";
import { type Recommendation, RecommendationGrid } from "../components/recommendations.tsx";
import { useRequest } from "../components/use-request.ts";
import { WatchControls } from "../components/watches.tsx";

/**
 * An anonymous visitor's views are tied to one id per tab session, so that what one visitor looks
 * at is learnt as viewed together; a signed-in user's views are tied to the user by the API.
 */
function visitorSession(): string {
  const key = "mercato.visitor";
  // getRandomValues, not randomUUID: the shop may be served over plain HTTP on a LAN address.
  const fresh = Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
  try {
    const stored = sessionStorage.getItem(key);
    if (stored) return stored;
    sessionStorage.setItem(key, fresh);
  } catch {
    // Storage refused (a private window's quota): this view still counts, tied to this page only.
  }
  return fresh;
}

export function ProductPage() {
  const { params } = useRoute();
  const id = params.id ?? "";
  const product = useRequest(() => api.GET("/api/products/{id}", { params: { path: { id } } }), [id]);
  useEffect(() => {
    // Recommendations learn from views; a view that fails to record costs the shopper nothing.
    api
      .POST("/api/products/{id}/views", {
        params: { path: { id }, header: currentSession() ? {} : { "x-session-id": visitorSession() } },
      })
      .catch(() => undefined);
  }, [id]);

  if (product.loading && !product.data) return <Loading what="the product" />;
  if (!product.data) return <ErrorNote message={product.error} />;
  return (
    <>
      <ProductView key={product.data.id} item={product.data} />
      <Related id={product.data.id} />
    </>
  );
}

function ProductView({ item }: { item: Product }) {
  const session = useSession();
  const location = useLocation();
  const [shown, setShown] = useState(0);
  const [quantity, setQuantity] = useState(1);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function addToCart(event: Event) {
    event.preventDefault();
    if (!session) {
      location.route(`/account?next=${encodeURIComponent(`/products/${item.id}`)}`);
      return;
    }
    setAdding(true);
    setError(null);
    const answer = await api
      .POST("/api/cart/items", { body: { productId: item.id, quantity } })
      .catch((failure: unknown) => ({ error: failure }));
    setAdding(false);
    if (answer.error) setError(problemMessage(answer.error));
    else setAdded(true);
  }

  const image = item.images[shown] ?? item.images[0];
  return (
    <article class="product">
      <div>
        {image ? (
          <img class="hero" src={image} alt={item.name} />
        ) : (
          <div class="hero placeholder" aria-hidden="true" />
        )}
        {item.images.length > 1 && (
          <ul class="thumbs" aria-label="Images">
            {item.images.map((url, index) => (
              <li key={url}>
                <button
                  type="button"
                  class="thumb"
                  aria-pressed={index === shown}
                  aria-label={`Show image ${index + 1} of ${item.images.length}`}
                  onClick={() => setShown(index)}
                >
                  <img src={url} alt="" loading="lazy" />
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
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
        <WatchControls product={item} />
      </div>
    </article>
  );
}

const related: { reason: Recommendation["reason"]; title: string; none: string }[] = [
  {
    reason: "bought-together",
    title: "Bought together",
    none: "Nothing yet: once people buy this with other products, they show here.",
  },
  {
    reason: "viewed-together",
    title: "Viewed together",
    none: "Nothing yet: products people look at along with this one show here.",
  },
];

/**
 * The API's recommendations for the product, one list per reason; the API fills a short list with
 * popular products, shown apart so that they are not taken for products linked to this one.
 */
function Related({ id }: { id: string }) {
  const answer = useRequest(
    () => api.GET("/api/recommendations", { params: { query: { productId: id, limit: 24 } } }),
    [id],
  );
  const items = answer.data?.items ?? [];
  const popular = items.filter((item) => item.reason === "popular");
  return (
    <>
      {related.map(({ reason, title, none }, index) => {
        const group = items.filter((item) => item.reason === reason);
        return (
          <section key={reason} aria-labelledby={`related-${reason}`}>
            <h2 id={`related-${reason}`}>{title}</h2>
            {index === 0 && answer.loading && <Loading what="recommendations" />}
            {index === 0 && <ErrorNote message={answer.error} />}
            {answer.data && group.length === 0 && <Empty>{none}</Empty>}
            {group.length > 0 && <RecommendationGrid items={group} label={title} />}
          </section>
        );
      })}
      {popular.length > 0 && (
        <section aria-labelledby="related-popular">
          <h2 id="related-popular">Popular right now</h2>
          <RecommendationGrid items={popular} label="Popular right now" />
        </section>
      )}
    </>
  );
}
