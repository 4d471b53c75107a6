import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { ErrorNote } from "../components/feedback.tsx";
import { SignedIn } from "../components/signed-in.tsx";

const paymentTokens = [
  { token: "tok_visa", label: "Visa (tok_visa)", explanation: "approves the payment" },
  { token: "tok_declined", label: "Declined card (tok_declined)", explanation: "the provider declines it" },
  {
    token: "tok_flaky",
    label: "Flaky provider (tok_flaky)",
    explanation: "fails twice with a transient error, then approves",
  },
];

const addressFields = [
  { name: "name", label: "Full name", autocomplete: "name", required: true },
  { name: "line1", label: "Address", autocomplete: "address-line1", required: true },
  { name: "line2", label: "Address line 2 (optional)", autocomplete: "address-line2", required: false },
  { name: "city", label: "City", autocomplete: "address-level2", required: true },
  { name: "postalCode", label: "Postal code", autocomplete: "postal-code", required: true },
  { name: "country", label: "Country (2-letter code)", autocomplete: "country", required: true },
] as const;

export function CheckoutPage() {
  return (
    <SignedIn next="/checkout">
      <Checkout />
    </SignedIn>
  );
}

function Checkout() {
  const location = useLocation();
  // One key per visit to the page: a double submit places one order, not two.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [placing, setPlacing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function placeOrder(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const line2 = text("line2");
    setPlacing(true);
    setError(null);
    const answer = await api
      .POST("/api/orders", {
        params: { header: { "idempotency-key": idempotencyKey } },
        body: {
          shippingAddress: {
            name: text("name"),
            line1: text("line1"),
            ...(line2 ? { line2 } : {}),
            city: text("city"),
            postalCode: text("postalCode"),
            country: text("country").toUpperCase(),
          },
          payment: { token: text("token") },
        },
      })
      .catch((failure: unknown) => ({ data: undefined, error: failure }));
    setPlacing(false);
    if (answer.data) location.route(`/orders/${answer.data.id}`);
    else setError(problemMessage(answer.error));
  }

  return (
    <>
      <h1>Checkout</h1>
      <form class="stack" onSubmit={placeOrder}>
        <fieldset>
          <legend>Shipping address</legend>
          {addressFields.map((field) => (
            <label key={field.name}>
              {field.label}
              <input name={field.name} autocomplete={field.autocomplete} required={field.required} />
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Payment (sandbox: no real card is charged)</legend>
          {paymentTokens.map((option, index) => (
            <label key={option.token} class="choice">
              <input type="radio" name="token" value={option.token} defaultChecked={index === 0} />
              {option.label}: <span class="muted">{option.explanation}</span>
            </label>
          ))}
        </fieldset>
        <ErrorNote message={error} />
        <button type="submit" disabled={placing}>
          {placing ? "Placing the order…" : "Place order"}
        </button>
      </form>
    </>
  );
}
