import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client.ts";
import type { components } from "../api/openapi-types.ts";
import { problemMessage } from "../api/problems.ts";
import { useSession } from "../api/session.ts";
import { ErrorNote, Loading } from "./feedback.tsx";
import { formatMoney, minorDigits, toMinorUnits } from "./money.tsx";
import type { Product } from "./product-card.tsx";

export type Watch = components["schemas"]["Watch"];

export function watchText(watch: Watch): string {
  if (watch.kind === "back-in-stock") return "Back in stock";
  return watch.targetPrice ? `Price drop below ${formatMoney(watch.targetPrice)}` : "Any price drop";
}

/** The user's watches (the API keeps few per user: the first 100 are all of them in practice). */
export async function loadWatches(): Promise<{ data?: Watch[]; error?: string }> {
  const answer = await api
    .GET("/api/watches", { params: { query: { limit: 100 } } })
    .catch((failure: unknown) => ({ data: undefined, error: failure }));
  return answer.data ? { data: answer.data.items } : { error: problemMessage(answer.error) };
}

export async function removeWatch(id: string): Promise<string | null> {
  const answer = await api
    .DELETE("/api/watches/{id}", { params: { path: { id } } })
    .catch((failure: unknown) => ({ error: failure }));
  return answer.error ? problemMessage(answer.error) : null;
}

/** The product page's price-drop and back-in-stock watches; a signed-out visitor is asked to sign in. */
export function WatchControls({ product }: { product: Product }) {
  const session = useSession();
  return (
    <section class="watches" aria-labelledby="watch-heading">
      <h2 id="watch-heading">Watch this product</h2>
      {session ? (
        <Watching product={product} />
      ) : (
        <p>
          <a href={`/account?next=${encodeURIComponent(`/products/${product.id}`)}`}>Sign in</a> to be told
          when the price drops or it is back in stock.
        </p>
      )}
    </section>
  );
}

function Watching({ product }: { product: Product }) {
  const [watches, setWatches] = useState<Watch[] | null>(null);
  const [target, setTarget] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const currency = product.price.currency;

  useEffect(() => {
    let current = true;
    loadWatches().then((answer) => {
      if (!current) return;
      setWatches(answer.data?.filter((watch) => watch.productId === product.id) ?? []);
      setError(answer.error ?? null);
    });
    return () => {
      current = false;
    };
  }, [product.id]);

  async function watch(kind: Watch["kind"]) {
    const targetPrice = kind === "price-drop" ? toMinorUnits(target, currency) : null;
    if (kind === "price-drop" && target.trim() !== "" && targetPrice === null) {
      setError("The target price must be a positive amount, such as 19.99.");
      return;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    const answer = await api
      .POST("/api/watches", {
        body: {
          productId: product.id,
          kind,
          ...(targetPrice === null ? {} : { targetPrice: { amount: targetPrice, currency } }),
        },
      })
      .catch((failure: unknown) => ({ data: undefined, error: failure }));
    setBusy(false);
    if (!answer.data) {
      setError(problemMessage(answer.error));
      return;
    }
    const created = answer.data;
    setWatches((previous) => [...(previous ?? []), created]);
    setTarget("");
    setDone(`Watching: ${watchText(created)}. You will get a notification and an email.`);
  }

  async function remove(id: string) {
    setError(null);
    setDone(null);
    const failure = await removeWatch(id);
    if (failure) setError(failure);
    else {
      setWatches((previous) => previous?.filter((watch) => watch.id !== id) ?? null);
      setDone("Stopped watching.");
    }
  }

  if (!watches) return error ? <ErrorNote message={error} /> : <Loading what="your watches" />;
  const watching = (kind: Watch["kind"]) => watches.some((watch) => watch.kind === kind);
  return (
    <>
      {watches.length > 0 && (
        <ul class="lines" aria-label="Your watches on this product">
          {watches.map((watch) => (
            <li key={watch.id}>
              <span>
                {watchText(watch)}
                {watch.firedAt && <span class="muted"> (notified)</span>}
              </span>
              <button
                type="button"
                class="secondary"
                aria-label={`Stop watching: ${watchText(watch)}`}
                onClick={() => remove(watch.id)}
              >
                Stop watching
              </button>
            </li>
          ))}
        </ul>
      )}
      {!watching("price-drop") && (
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            void watch("price-drop");
          }}
        >
          <label for="target-price">Target price in {currency} (optional)</label>
          <input
            id="target-price"
            type="number"
            inputMode="decimal"
            min={0}
            step={10 ** -minorDigits(currency)}
            value={target}
            onInput={(event) => setTarget(event.currentTarget.value)}
          />
          <button type="submit" disabled={busy}>
            Watch for a price drop
          </button>
        </form>
      )}
      {!watching("back-in-stock") && !product.inStock && (
        <p>
          <button type="button" disabled={busy} onClick={() => watch("back-in-stock")}>
            Tell me when it is back in stock
          </button>
        </p>
      )}
      <ErrorNote message={error} />
      {done && <p role="status">{done}</p>}
    </>
  );
}
