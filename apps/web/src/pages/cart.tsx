import { useState } from "preact/hooks";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { Price } from "../components/money.tsx";
import { SignedIn } from "../components/signed-in.tsx";
import { useRequest } from "../components/use-request.ts";

export function CartPage() {
  return (
    <SignedIn next="/cart">
      <Cart />
    </SignedIn>
  );
}

function Cart() {
  const [revision, setRevision] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const cart = useRequest(() => api.GET("/api/cart"), [revision]);

  async function setQuantity(productId: string, quantity: number) {
    setError(null);
    const answer = await api.PATCH("/api/cart/items/{productId}", {
      params: { path: { productId } },
      body: { quantity },
    });
    if (answer.error) setError(problemMessage(answer.error));
    setRevision((value) => value + 1);
  }

  if (cart.loading && !cart.data) return <Loading what="your cart" />;
  if (!cart.data) return <ErrorNote message={cart.error} />;
  const { items, subtotal } = cart.data;
  return (
    <>
      <h1>Your cart</h1>
      <ErrorNote message={error} />
      {items.length === 0 ? (
        <Empty>
          Your cart is empty. <a href="/search">Find something you like</a>.
        </Empty>
      ) : (
        <>
          <ul class="lines">
            {items.map((line) => (
              <li key={line.productId}>
                <a href={`/products/${line.productId}`}>{line.name}</a>
                <label>
                  Quantity
                  <input
                    type="number"
                    min={0}
                    max={99}
                    value={line.quantity}
                    onChange={(event) => setQuantity(line.productId, Number(event.currentTarget.value))}
                  />
                </label>
                <Price money={line.lineTotal} />
                {line.exceedsStock && <span class="stock out">Only {line.available ?? 0} available</span>}
                <button type="button" class="link" onClick={() => setQuantity(line.productId, 0)}>
                  Remove <span class="visually-hidden">{line.name}</span>
                </button>
              </li>
            ))}
          </ul>
          <p class="big">
            Subtotal: <Price money={subtotal} />
          </p>
          <a class="button" href="/checkout">
            Check out
          </a>
        </>
      )}
    </>
  );
}
