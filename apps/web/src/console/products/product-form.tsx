import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../../api/client.ts";
import type { components } from "../../api/openapi-types.ts";
import { ErrorNote } from "../../components/feedback.tsx";
import { minorDigits, toMinorUnits } from "../../components/money.tsx";
import { send } from "../send.ts";

type Product = components["schemas"]["Product"];
type Money = components["schemas"]["Money"];

/** "12.50" EUR → 1250: admins type prices in the currency's units, the API takes minor units. */
function parsePrice(text: string, currency: string): Money | string {
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return "The currency must be a three-letter code like EUR.";
  const amount = toMinorUnits(text.replace(",", "."), code);
  return amount === null ? "The price must be a number like 12.50." : { amount, currency: code };
}

const priceText = (money: Money) => (money.amount / 10 ** minorDigits(money.currency)).toString();

/** The fields a product is created and edited with. */
export function ProductFields({ product }: { product?: Product }) {
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

export function readFields(form: HTMLFormElement) {
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

export function NewProduct() {
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
