import { useEffect, useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { api } from "../api/client.ts";
import type { components } from "../api/openapi-types.ts";
import { problemMessage, statusReasonText } from "../api/problems.ts";
import { ErrorNote, Loading } from "../components/feedback.tsx";
import { formatMoney, Price } from "../components/money.tsx";
import { SignedIn } from "../components/signed-in.tsx";

type Order = components["schemas"]["Order"];
type Return = components["schemas"]["Return"];
type TimelineEntry = { type: string; at: string };

/** Statuses after which nothing changes unless someone acts: polling stops there. */
const settled = new Set<Order["status"]>(["rejected", "cancelled", "delivered", "returned"]);

export function OrderPage() {
  const { params } = useRoute();
  const id = params.id ?? "";
  return (
    <SignedIn next={`/orders/${id}`}>
      <OrderView id={id} />
    </SignedIn>
  );
}

/** The order and its timeline, read again every second until the order settles. */
function OrderView({ id }: { id: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let active = true;
    async function refresh() {
      const [current, events] = await Promise.all([
        api.GET("/api/orders/{id}", { params: { path: { id } } }),
        api.GET("/api/orders/{id}/timeline", { params: { path: { id } } }),
      ]).catch((failure: unknown) => [{ data: undefined, error: failure }, { data: undefined }] as const);
      if (!active) return;
      if (current.data) {
        setOrder(current.data);
        setError(null);
      } else setError(problemMessage(current.error));
      if (events.data) setTimeline(events.data.items);
      if (!current.data || !settled.has(current.data.status)) timer = setTimeout(refresh, 1000);
    }
    refresh();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [id]);

  if (!order) return error ? <ErrorNote message={error} /> : <Loading what="the order" />;
  const reason = statusReasonText(order.statusReason);
  return (
    <>
      <h1>Order {order.id.slice(-8)}</h1>
      <p class="big" role="status" aria-live="polite">
        Status: <strong data-testid="order-status">{order.status}</strong>
        {order.status === "pending" && <span class="muted"> (updating live)</span>}
      </p>
      {reason && (
        <p class="error" data-testid="order-reason">
          {reason}
        </p>
      )}
      <ErrorNote message={error} />
      <ul class="lines">
        {order.items.map((line) => (
          <li key={line.productId}>
            <span>
              {line.quantity} × {line.name}
            </span>
            <Price money={line.lineTotal} />
          </li>
        ))}
      </ul>
      <p class="big">
        Total: <Price money={order.total} />
      </p>
      {(order.status === "pending" || order.status === "confirmed") && <CancelOrder id={order.id} />}
      {order.status === "delivered" && <ReturnForm order={order} />}
      <h2>Timeline</h2>
      <ol class="timeline">
        {timeline.map((entry) => (
          <li key={`${entry.at}-${entry.type}`}>
            <time dateTime={entry.at}>{new Date(entry.at).toLocaleTimeString()}</time> {entry.type}
          </li>
        ))}
      </ol>
    </>
  );
}

/** Cancels a pending or confirmed order; the page's polling then shows it cancelled. */
function CancelOrder({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [asked, setAsked] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function cancel() {
    setBusy(true);
    setError(null);
    const answer = await api
      .POST("/api/orders/{id}/cancel", { params: { path: { id } } })
      .catch((failure: unknown) => ({ error: failure }));
    setBusy(false);
    if (answer.error) setError(problemMessage(answer.error));
    else setAsked(true);
  }

  return (
    <section aria-labelledby="cancel-heading">
      <h2 id="cancel-heading">Changed your mind?</h2>
      {asked ? (
        <p role="status">Cancellation requested: the payment is refunded once the order is cancelled.</p>
      ) : (
        <button type="button" class="danger" disabled={busy} onClick={cancel}>
          {busy ? "Cancelling…" : "Cancel order"}
        </button>
      )}
      <ErrorNote message={error} />
    </section>
  );
}

/** A return of some or all of a delivered order's items, with a reason. */
function ReturnForm({ order }: { order: Order }) {
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [requested, setRequested] = useState<Return | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const items = Object.entries(quantities)
      .filter(([, quantity]) => quantity > 0)
      .map(([productId, quantity]) => ({ productId, quantity }));
    if (items.length === 0) {
      setError("Choose at least one item to return.");
      return;
    }
    setBusy(true);
    setError(null);
    setRequested(null);
    const answer = await api
      .POST("/api/orders/{id}/returns", { params: { path: { id: order.id } }, body: { items, reason } })
      .catch((failure: unknown) => ({ data: undefined, error: failure }));
    setBusy(false);
    if (answer.data) {
      setRequested(answer.data);
      setQuantities({});
      setReason("");
    } else setError(namingProducts(problemMessage(answer.error), order));
  }

  return (
    <section aria-labelledby="return-heading">
      <h2 id="return-heading">Return items</h2>
      {requested && (
        <p role="status" data-testid="return-requested">
          Return requested ({requested.items.map((item) => `${item.quantity} × ${item.name}`).join(", ")}): a
          refund of {formatMoney(requested.refund)} follows once we receive it.
        </p>
      )}
      <form class="stack narrow" onSubmit={submit}>
        <fieldset>
          <legend>Items to return</legend>
          {order.items.map((line) => (
            <label key={line.productId}>
              {line.name} (bought {line.quantity})
              <input
                type="number"
                min={0}
                max={line.quantity}
                value={quantities[line.productId] ?? 0}
                onInput={(event) => {
                  const quantity = Math.max(0, Math.floor(Number(event.currentTarget.value) || 0));
                  setQuantities((previous) => ({ ...previous, [line.productId]: quantity }));
                }}
              />
            </label>
          ))}
        </fieldset>
        <label>
          Reason
          <input
            value={reason}
            required
            maxLength={500}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        </label>
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          {busy ? "Sending…" : "Request return"}
        </button>
      </form>
    </section>
  );
}

/** The API names products by id in its reasons; the shopper knows them by name. */
function namingProducts(message: string, order: Order): string {
  return order.items.reduce(
    (text, line) => text.replaceAll(`product ${line.productId}`, `“${line.name}”`),
    message,
  );
}
