import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../../api/client.ts";
import { ErrorNote, Loading } from "../../components/feedback.tsx";
import { Price } from "../../components/money.tsx";
import { useRequest } from "../../components/use-request.ts";
import { dateTime, send } from "../send.ts";
import { ProductFields, readFields } from "./product-form.tsx";
import { Images } from "./product-images.tsx";
import { Stock } from "./product-stock.tsx";

/** One product: edit it, delete it, add images, and set and follow its stock. */
export function ProductDetail({ id }: { id: string }) {
  const { route } = useLocation();
  const [reloads, setReloads] = useState(0);
  const product = useRequest(
    () => api.GET("/api/products/{id}", { params: { path: { id } } }),
    [id, reloads],
  );
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const { price, body } = readFields(event.currentTarget as HTMLFormElement);
    if (typeof price === "string") return setError(price);
    setError(null);
    setNote(null);
    const answer = await send(
      api.PATCH("/api/products/{id}", { params: { path: { id } }, body: { ...body, price } }),
    );
    if (answer.ok) {
      setNote("Saved.");
      setReloads((value) => value + 1);
    } else setError(answer.message);
  }

  async function remove() {
    const answer = await send(api.DELETE("/api/products/{id}", { params: { path: { id } } }));
    if (answer.ok) route("/console/products");
    else setError(answer.message);
  }

  const data = product.data;
  return (
    <>
      <p>
        <a href="/console/products">All products</a>
      </p>
      <ErrorNote message={product.error} />
      {product.loading && !data && <Loading what="the product" />}
      {data && (
        <>
          <h1>{data.name}</h1>
          <p class="muted">
            SKU {data.sku}, <Price money={data.price} />, updated {dateTime(data.updatedAt)}
          </p>
          <section aria-labelledby="edit-product">
            <h2 id="edit-product">Details</h2>
            {/* Keyed by the update time so the fields show what was saved. */}
            <form key={data.updatedAt} class="stack narrow" onSubmit={save} aria-label="Edit product">
              <ProductFields product={data} />
              <ErrorNote message={error} />
              {note && <p role="status">{note}</p>}
              <button type="submit">Save changes</button>
            </form>
          </section>
          <Images product={data} onChange={() => setReloads((value) => value + 1)} />
          <Stock sku={data.sku} />
          <section aria-labelledby="delete-product">
            <h2 id="delete-product">Delete</h2>
            {confirming ? (
              <p class="row">
                Delete {data.name} from the catalogue?
                <button type="button" class="danger" onClick={remove}>
                  Yes, delete it
                </button>
                <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                  Keep it
                </button>
              </p>
            ) : (
              <button type="button" class="danger" onClick={() => setConfirming(true)}>
                Delete product
              </button>
            )}
          </section>
        </>
      )}
    </>
  );
}
