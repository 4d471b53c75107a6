import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api/client.ts";
import type { components } from "../api/openapi-types.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { Price } from "../components/money.tsx";
import { useRequest } from "../components/use-request.ts";
import { Scroll } from "./scroll.tsx";
import { dateTime, send } from "./send.ts";

type Product = components["schemas"]["Product"];
type Money = components["schemas"]["Money"];

function fractionDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat(undefined, { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/** "12.50" EUR → 1250: admins type prices in the currency's units, the API takes minor units. */
function parsePrice(text: string, currency: string): Money | string {
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return "The currency must be a three-letter code like EUR.";
  const value = Number(text.trim().replace(",", "."));
  if (text.trim() === "" || !Number.isFinite(value) || value < 0)
    return "The price must be a number like 12.50.";
  return { amount: Math.round(value * 10 ** fractionDigits(code)), currency: code };
}

const priceText = (money: Money) => (money.amount / 10 ** fractionDigits(money.currency)).toString();

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
      <p class="row">
        {cursors.length > 1 && (
          <button type="button" class="secondary" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
        )}
        {products.data?.nextCursor && (
          <button
            type="button"
            class="secondary"
            onClick={() => setCursors([...cursors, products.data?.nextCursor ?? undefined])}
          >
            Next page
          </button>
        )}
      </p>
    </>
  );
}

/** The fields a product is created and edited with. */
function ProductFields({ product }: { product?: Product }) {
  return (
    <>
      <label>
        Name
        <input name="name" required maxLength={200} defaultValue={product?.name} />
      </label>
      <label>
        SKU
        <input name="sku" required maxLength={64} defaultValue={product?.sku} />
      </label>
      <label>
        Category
        <input name="category" required maxLength={100} defaultValue={product?.category} />
      </label>
      <div class="actions">
        <label>
          Price
          <input
            name="price"
            required
            inputMode="decimal"
            size={8}
            defaultValue={product ? priceText(product.price) : ""}
          />
        </label>
        <label>
          Currency
          <input
            name="currency"
            required
            size={4}
            maxLength={3}
            defaultValue={product?.price.currency ?? "EUR"}
          />
        </label>
      </div>
      <label>
        Description
        <textarea name="description" rows={3} defaultValue={product?.description} />
      </label>
    </>
  );
}

function readFields(form: HTMLFormElement) {
  const data = new FormData(form);
  const field = (name: string) => String(data.get(name) ?? "").trim();
  const price = parsePrice(field("price"), field("currency"));
  return {
    price,
    body: {
      sku: field("sku"),
      name: field("name"),
      category: field("category"),
      description: field("description"),
    },
  };
}

function NewProduct() {
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: SubmitEvent) {
    event.preventDefault();
    const { price, body } = readFields(event.currentTarget as HTMLFormElement);
    if (typeof price === "string") return setError(price);
    setBusy(true);
    setError(null);
    const answer = await send(api.POST("/api/products", { body: { ...body, price } }));
    setBusy(false);
    if (answer.ok) route(`/console/products/${answer.data.id}`);
    else setError(answer.message);
  }

  return (
    <details>
      <summary>Add a product</summary>
      <form class="stack narrow" onSubmit={create} aria-label="New product">
        <ProductFields />
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          Create product
        </button>
      </form>
    </details>
  );
}

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

const imageTypes = ["image/png", "image/jpeg", "image/webp"];

function Images({ product, onChange }: { product: Product; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function upload(event: SubmitEvent) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const file = new FormData(form).get("image");
    setError(null);
    setNote(null);
    if (!(file instanceof File) || file.size === 0) return setError("Choose an image file first.");
    if (!imageTypes.includes(file.type)) return setError("The image must be a PNG, JPEG or WebP file.");
    setBusy(true);
    // The API takes the file's bytes as the body, with the file's own content type.
    const answer = await send(
      api.POST("/api/products/{id}/images", {
        params: { path: { id: product.id } },
        body: file as unknown as string,
        bodySerializer: (body) => body,
        headers: { "content-type": file.type },
      }),
    );
    setBusy(false);
    if (answer.ok) {
      setNote(`Uploaded ${file.name}.`);
      form.reset();
      onChange();
    } else setError(answer.message);
  }

  return (
    <section aria-labelledby="product-images">
      <h2 id="product-images">Images</h2>
      {product.images.length === 0 ? (
        <Empty>No images yet.</Empty>
      ) : (
        <ul class="thumbs">
          {product.images.map((url, index) => (
            <li key={url}>
              <img src={url} alt={`${product.name} (${index + 1} of ${product.images.length})`} />
            </li>
          ))}
        </ul>
      )}
      <form class="actions" onSubmit={upload} aria-label="Upload an image">
        <label>
          Image file (PNG, JPEG or WebP, up to 5 MiB)
          <input type="file" name="image" accept={imageTypes.join(",")} />
        </label>
        <button type="submit" disabled={busy}>
          Upload image
        </button>
      </form>
      <ErrorNote message={error} />
      {note && <p role="status">{note}</p>}
    </section>
  );
}

const reasons: Record<components["schemas"]["StockLedgerEntry"]["reason"], string> = {
  adjustment: "Adjustment",
  reservation: "Reserved for an order",
  release: "Reservation released",
  order: "Sold",
  cancel: "Order cancelled",
  return: "Returned",
  "marketplace-order": "Sold on another channel",
};

const signed = (value: number) => (value > 0 ? `+${value}` : String(value));

function Stock({ sku }: { sku: string }) {
  const [reloads, setReloads] = useState(0);
  const levels = useRequest(
    () =>
      send(api.GET("/api/inventory/{sku}", { params: { path: { sku } } })).then((answer) => ({
        data: answer,
      })),
    [sku, reloads],
  );
  const ledger = useRequest(
    () => api.GET("/api/inventory/{sku}/ledger", { params: { path: { sku } } }),
    [sku, reloads],
  );
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  async function setOnHand(event: SubmitEvent) {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget as HTMLFormElement).get("onHand")).trim();
    const onHand = Number(text);
    setError(null);
    setNote(null);
    if (text === "" || !Number.isInteger(onHand) || onHand < 0)
      return setError("Units on hand must be a whole number, 0 or more.");
    const answer = await send(
      api.PUT("/api/inventory/{sku}", { params: { path: { sku } }, body: { onHand } }),
    );
    if (answer.ok) {
      setNote(`On hand set to ${answer.data.onHand}.`);
      setReloads((value) => value + 1);
    } else setError(answer.message);
  }

  const answer = levels.data;
  const current = answer?.ok ? answer.data : undefined;
  return (
    <section aria-labelledby="stock">
      <h2 id="stock">Stock</h2>
      {levels.loading && !answer && <Loading what="stock" />}
      {answer && !answer.ok && answer.status === 404 && <Empty>No stock is recorded for {sku} yet.</Empty>}
      {answer && !answer.ok && answer.status !== 404 && <ErrorNote message={answer.message} />}
      {current && (
        <p data-testid="stock-levels">
          On hand <strong>{current.onHand}</strong>, reserved <strong>{current.reserved}</strong>, available{" "}
          <strong>{current.available}</strong>
        </p>
      )}
      <form key={current?.onHand} class="actions" onSubmit={setOnHand} aria-label="Set stock">
        <label>
          Units on hand
          <input
            name="onHand"
            inputMode="numeric"
            size={6}
            defaultValue={current ? String(current.onHand) : ""}
          />
        </label>
        <button type="submit">Set on hand</button>
      </form>
      <ErrorNote message={error} />
      {note && <p role="status">{note}</p>}
      <h3>Ledger, newest first</h3>
      {!(answer && !answer.ok && answer.status === 404) && <ErrorNote message={ledger.error} />}
      {ledger.data && ledger.data.items.length === 0 && <Empty>No movements yet.</Empty>}
      {ledger.data && ledger.data.items.length > 0 && (
        <Scroll label="Stock ledger">
          <table>
            <caption class="visually-hidden">Stock movements of {sku}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">On hand</th>
                <th scope="col">Reserved</th>
                <th scope="col">Reason</th>
                <th scope="col">Channel</th>
                <th scope="col">Order</th>
              </tr>
            </thead>
            <tbody>
              {ledger.data.items.map((entry, index) => (
                <tr key={`${entry.at}-${index}`}>
                  <th scope="row">{dateTime(entry.at)}</th>
                  <td>{signed(entry.change)}</td>
                  <td>{signed(entry.reservedChange)}</td>
                  <td>{reasons[entry.reason] ?? entry.reason}</td>
                  <td>{entry.reference.channel}</td>
                  <td>
                    {entry.reference.orderId && entry.reference.channel === "web" ? (
                      <a href={`/console/orders/${entry.reference.orderId}`}>
                        …{entry.reference.orderId.slice(-8)}
                      </a>
                    ) : (
                      (entry.reference.orderId ?? "")
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </section>
  );
}
